//go:build integration

package mysqlcdc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/mysqlcdc/mariadbtest"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/go-mysql-org/go-mysql/client"
)

// failed invokes until the task is FAILED and checks its trace.
func failed(t *testing.T, hs *harness, want ...string) {
	t.Helper()
	res := hs.Invoke(100)
	for i := 0; i < 10 && res.State == functions.StateRunning; i++ {
		res = hs.Invoke(100)
	}
	if res.State != functions.StateFailed {
		t.Fatalf("state %s, want FAILED (trace %q)", res.State, res.Trace)
	}
	for _, w := range want {
		if !strings.Contains(res.Trace, w) {
			t.Errorf("trace %q does not contain %q", res.Trace, w)
		}
	}
	t.Logf("%.400s", res.Trace)
}

// commitOffset stores offset as the connector's committed source offset.
func commitOffset(t *testing.T, hs *harness, prefix string, offset map[string]any) {
	t.Helper()
	ctx := context.Background()
	epoch, err := hs.Store.NextEpoch(ctx, hs.Name, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = hs.Store.CommitOffsets(ctx, hs.Name, 0, epoch, []state.OffsetEntry{{Partition: map[string]any{"server": prefix}, Offset: offset}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: missing replication privileges and a purged binlog
// position fail the task with a trace that says what to run.
func TestBadInput(t *testing.T) {
	conn := db(t)
	name := uniq("bad")
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY)")
	t.Run("no replication privileges", func(t *testing.T) {
		u := name + "_u"
		exec(t, conn, "CREATE USER '"+u+"'@'%' IDENTIFIED BY 'pw'", "GRANT SELECT ON *.* TO '"+u+"'@'%'")
		t.Cleanup(func() { conn.Execute("DROP USER '" + u + "'@'%'") })
		cfg := connectorConfig(t, name, name)
		cfg["database.user"], cfg["database.password"] = u, "pw"
		failed(t, newHarness(t, cfg), "lacks REPLICATION SLAVE and REPLICATION CLIENT", "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '"+u+"'")
	})
	t.Run("replication privileges through a role", func(t *testing.T) {
		u, r := name+"_ru", name+"_role"
		exec(t, conn, "CREATE ROLE "+r, "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO "+r,
			"CREATE USER '"+u+"'@'%' IDENTIFIED BY 'pw'", "GRANT "+r+" TO '"+u+"'@'%'", "SET DEFAULT ROLE "+r+" FOR '"+u+"'@'%'")
		t.Cleanup(func() { conn.Execute("DROP USER '" + u + "'@'%'"); conn.Execute("DROP ROLE " + r) })
		cfg := connectorConfig(t, name, name)
		cfg["database.user"], cfg["database.password"], cfg["snapshot.mode"] = u, "pw", "no_data"
		if res := newHarness(t, cfg).Invoke(100); res.State != functions.StateRunning {
			t.Fatalf("%s: %s", res.State, res.Trace)
		}
	})
	t.Run("purged position", func(t *testing.T) {
		cfg := connectorConfig(t, name, name)
		hs := newHarness(t, cfg)
		commitOffset(t, hs, name, map[string]any{"file": "mariadb-bin.000000", "pos": 4, "ts_sec": 1})
		failed(t, hs, "no longer has binlog file mariadb-bin.000000", "snapshot.mode=when_needed")
	})
	t.Run("GTIDs the server has not executed", func(t *testing.T) {
		file, pos, _ := masterStatus(t, conn)
		for _, gtids := range []string{"0-1-999999999", "77-1-5"} {
			cfg := connectorConfig(t, name, name)
			hs := newHarness(t, cfg)
			commitOffset(t, hs, name, map[string]any{"file": file, "pos": pos, "gtids": gtids, "ts_sec": 1})
			failed(t, hs, "GTIDs "+gtids+" are not all executed by this server", "snapshot.mode=initial")
		}
	})
	t.Run("purged position, when_needed snapshots", func(t *testing.T) {
		exec(t, conn, "INSERT INTO "+name+" VALUES (1)")
		cfg := connectorConfig(t, name, name)
		cfg["snapshot.mode"] = "when_needed"
		hs := newHarness(t, cfg)
		commitOffset(t, hs, name, map[string]any{"file": "mariadb-bin.000000", "pos": 4, "ts_sec": 1})
		hs.DrainAtLeast(100, 2)
	})
}

// privateMariaDB starts a MariaDB of its own on a free port (the test
// changes its global binlog settings), with extra mariadbd options and a
// table d.t; it is stopped when the test ends.
func privateMariaDB(t *testing.T, extra ...string) (host, port string) {
	t.Helper()
	return mariadbtest.Start(t, "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY)", extra...)
}

// TestBinlogSettings: binlog_format other than ROW and
// binlog_row_image other than FULL fail the task with the SET GLOBAL to run.
func TestBinlogSettings(t *testing.T) {
	host, port := privateMariaDB(t)
	admin, err := client.Connect(host+":"+port, "cdc", "cdc", "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cfg := connectorConfig(t, uniq("binlog"), "t")
	cfg["database.hostname"], cfg["database.port"], cfg["database.user"], cfg["database.password"] = host, port, "cdc", "cdc"
	cfg["database.include.list"], cfg["table.include.list"] = "d", "d.t"
	for _, tc := range []struct{ set, want string }{
		{"SET GLOBAL binlog_format = 'STATEMENT'", "binlog_format is STATEMENT, change data capture needs ROW; run SET GLOBAL binlog_format = 'ROW'"},
		{"SET GLOBAL binlog_format = 'MIXED'", "binlog_format is MIXED"},
		{"SET GLOBAL binlog_format = 'ROW', GLOBAL binlog_row_image = 'MINIMAL'", "binlog_row_image is MINIMAL, change data capture needs FULL"},
		{"SET GLOBAL binlog_row_image = 'NOBLOB'", "run SET GLOBAL binlog_row_image = 'FULL'"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			if _, err := admin.Execute(tc.set); err != nil {
				t.Fatal(err)
			}
			failed(t, newHarness(t, cfg), tc.want)
		})
	}
	if _, err := admin.Execute("SET GLOBAL binlog_row_image = 'FULL'"); err != nil {
		t.Fatal(err)
	}
	if res := newHarness(t, cfg).Invoke(100); res.State != functions.StateRunning {
		t.Fatalf("with ROW and FULL: %s %s", res.State, res.Trace)
	}
}
