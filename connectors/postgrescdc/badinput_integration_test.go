//go:build integration

package postgrescdc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
)

// Wrong credentials, a slot another consumer is streaming from and a dropped
// publication each fail the task with a message that names the slot or the
// publication and says what to do.
func TestBadInput(t *testing.T) {
	conn := pg(t)
	name := uniq("badcdc")
	tbl := name + "_t"
	exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY)")
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, "public."+tbl)
	cfg["snapshot.mode"] = "no_data"
	failed := func(t *testing.T, cfg map[string]string, want ...string) {
		t.Helper()
		hs := newHarness(t, cfg)
		res := hs.Invoke(100)
		// Under load an invocation can idle out before decoding reaches the
		// change that fails; keep invoking for a while.
		for i := 0; i < 40 && res.State == functions.StateRunning; i++ {
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
		t.Logf("%s", res.Trace)
	}
	t.Run("wrong credentials", func(t *testing.T) {
		bad := map[string]string{}
		for k, v := range cfg {
			bad[k] = v
		}
		bad["database.password"] = "wrong"
		failed(t, bad, "check database.user and database.password")
	})
	newHarness(t, cfg).Drain(100) // creates slot and publication
	t.Run("slot in use", func(t *testing.T) {
		other, err := pgconn.Connect(context.Background(), env(t, "POSTGRES_URL")+"?replication=database")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close(context.Background())
		if err := pglogrepl.StartReplication(context.Background(), other, name, 0,
			pglogrepl.StartReplicationOptions{PluginArgs: []string{"proto_version '1'", "publication_names '" + name + "'"}}); err != nil {
			t.Fatal(err)
		}
		failed(t, cfg, `replication slot "`+name+`" is in use by another consumer`, "give this connector its own slot.name")
	})
	t.Run("dropped publication", func(t *testing.T) {
		exec(t, conn, "DROP PUBLICATION "+name, "INSERT INTO "+tbl+" VALUES (1)")
		failed(t, cfg, `publication "`+name+`"`, "re-create it")
	})
	t.Run("publication missing, autocreate disabled", func(t *testing.T) {
		exec(t, conn, "DROP PUBLICATION IF EXISTS "+name)
		off := map[string]string{}
		for k, v := range cfg {
			off[k] = v
		}
		off["publication.autocreate.mode"] = "disabled"
		failed(t, off, `publication "`+name+`" does not exist`, "publication.autocreate.mode=all_tables or filtered")
	})
}
