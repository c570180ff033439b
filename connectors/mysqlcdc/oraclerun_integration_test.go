//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"
)

// oracleVersion is the version the oracle's private MariaDB reports.
// Debezium's MariaDbConnector is not served by the reachable registry, and
// its MySqlConnector 3.6.1 refuses a server whose version names MariaDB 10.11
// (it would ask for SHOW BINARY LOG STATUS, and its JDBC driver for
// @@transaction_isolation, which MySQL 5.7.20 introduced): as MySQL 5.7.19
// it reads the same binlog. Ferry's MariaDbConnector reads it as MariaDB.
const oracleVersion = "5.7.19-mariadb-oracle"

// mysqlRules: what the comparison leaves out, and what differs on purpose
// (each listed in docs/connectors.md).
var mysqlRules = oracle.Rules{
	SourceSkip: []string{"ts_ms", "ts_us", "ts_ns", "name"},
	// Ferry's MariaDbConnector against Debezium's MySqlConnector: the flavor's names.
	FerryReplace: []string{`"io.debezium.connector.mariadb.`, `"io.debezium.connector.mysql.`,
		`"connector":"mariadb"`, `"connector":"mysql"`},
	Deliberate: map[string]string{
		"value.payload.source.version": "ferry's version, not Debezium's",
		"value.payload.source.gtid":    "MariaDbConnector writes the MariaDB GTID; MySqlConnector (the oracle here) knows no MariaDB GTIDs",
	},
	// Ferry reads a table's definition from the catalog when it reads a DDL
	// (Debezium parses the DDL): this test reads each ALTER after the later
	// ones, so the event lists the later definition, and rows written under
	// the older one get their types from the binlog's row metadata, which
	// carries no column default.
	PhaseDeliberate: map[string]map[string]string{"schema change": {
		"value.payload.tableChanges[0].table.columns":     "the definition when read, not when written",
		"value.schema.fields.[before].fields.[b].default": "no default in the binlog's row metadata",
		"value.schema.fields.[after].fields.[b].default":  "as before.b",
	}},
}

// mysqlPair is one mode captured by Debezium and by ferry.
type mysqlPair struct {
	mode     map[string]string
	dbz, fry oracle.Side
	hs       *harness
}

// binlogPos is a position in the binlog: file, then offset.
type binlogPos struct {
	file string
	pos  int64
}

func (a binlogPos) before(b binlogPos) bool {
	return a.file < b.file || a.file == b.file && a.pos < b.pos
}

// The oracle: the same tables, snapshot and changes captured by Debezium's
// MySqlConnector 3.6.1.Final in the reference Kafka Connect and by ferry's
// MariaDbConnector, from one MariaDB (see oracleVersion), into separate
// topics; every record compared (key, value, both schemas, the source block
// less timing and instance fields), schema change events included.
func TestDebeziumOracleMariaDB(t *testing.T) {
	conn, host, port, id := oracleServer(t, "orc")
	db := id

	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	var pairs []*mysqlPair
	var topics []string
	for i, mode := range oracleModes {
		dname, fname := fmt.Sprintf("dbz%s_%d", id[3:], i), fmt.Sprintf("fry%s_%d", id[3:], i)
		kc.Start(oracleConfig(t, dname, mysqlcdc.MySQLClass, host, port, db, mode, 5500+i), nil)
		t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
		p := &mysqlPair{mode: mode, dbz: oracleSide(dname, db), fry: oracleSide(fname, db),
			hs: newHarness(t, oracleConfig(t, fname, mysqlcdc.MariaDBClass, host, port, db, mode, 5600+i))}
		pairs = append(pairs, p)
		for _, s := range []oracle.Side{p.dbz, p.fry} {
			for _, tp := range s.Topics {
				topics = append(topics, tp)
			}
		}
	}
	c := oracle.NewCollector(t, seeds, topics)

	// Snapshot: ferry's runs to its end, Debezium's must too before any change.
	for _, p := range pairs {
		c.InvokeUntil("ferry's snapshot", func() bool { return c.HasCounts(p.fry, oracleSnapshotCounts) }, p.hs.Running)
		c.WantCounts(p.dbz, oracleSnapshotCounts)
	}
	// Each step, then a marker row: ferry is invoked until its marker is in
	// Kafka. The binlog position after the marker ends the step's phase.
	steps := oracleSteps(db)
	var ends []binlogPos
	for k, st := range steps {
		for _, tx := range st.stmts {
			exec(t, conn, "BEGIN")
			exec(t, conn, strings.Split(tx, "; ")...)
			exec(t, conn, "COMMIT")
		}
		exec(t, conn, fmt.Sprintf("INSERT INTO %s.mark VALUES (%d)", db, k+1))
		r, err := conn.Execute("SHOW MASTER STATUS")
		if err != nil {
			t.Fatal(err)
		}
		file, _ := r.GetString(0, 0)
		pos, _ := r.GetInt(0, 1)
		ends = append(ends, binlogPos{file, pos})
		for _, p := range pairs {
			c.InvokeUntilMarker(p.fry, k+1, p.hs.Running)
		}
	}
	phase := func(r *kgo.Record) string {
		ch, err := oracle.ParseChange(r)
		if err != nil || ch.Payload.Op == "r" {
			return "snapshot"
		}
		src := ch.Payload.Source
		if snap, _ := src["snapshot"].(string); snap != "" && snap != "false" {
			return "snapshot"
		}
		file, _ := src["file"].(string)
		pos, _ := src["pos"].(float64)
		for k, end := range ends {
			if (binlogPos{file, int64(pos)}).before(end) {
				return steps[k].phase
			}
		}
		return "after the last step"
	}
	phases := []string{"snapshot"}
	for _, st := range steps {
		phases = append(phases, st.phase)
	}
	tally := oracle.NewTally()
	for _, p := range pairs {
		c.Until("both last markers", func() bool {
			return c.HasID(p.fry.Topics["mark"], len(steps)) && c.HasID(p.dbz.Topics["mark"], len(steps))
		})
		c.SettleCounts(p.fry, oracleCounts, 5*time.Second) // ferry's last invocation has returned: all is in Kafka
		c.WantCounts(p.dbz, oracleCounts)
		if err := tally.CompareSides(c, mysqlRules, p.dbz, p.fry, oracleTableNames, phase, p.mode["decimal.handling.mode"]); err != nil {
			t.Fatal(err)
		}
	}
	tally.Check(t, phases)
}

// oracleServer starts the oracle's private MariaDB (see oracleVersion) and
// creates the oracle's tables, written at time_zone +05:30, in a new
// database uniq(prefix); it returns a connection, the server's host and
// port, and the database.
func oracleServer(t *testing.T, prefix string) (conn *client.Conn, host, port, db string) {
	host, port = privateMariaDB(t, "--version="+oracleVersion, "--binlog-row-image=FULL", "--binlog-row-metadata=FULL",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci")
	conn, err := client.Connect(host+":"+port, "cdc", "cdc", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	db = uniq(prefix)
	exec(t, conn, "SET time_zone = '+05:30'", "CREATE DATABASE "+db)
	exec(t, conn, oracleTables(db)...)
	return conn, host, port, db
}

// oracleSide names the topics of prefix: one per table of database db, and
// the schema change topic (<prefix>) as table "".
func oracleSide(prefix, db string) oracle.Side {
	s := oracle.NewSide(prefix, db, oracleTableNames)
	s.Topics[""] = prefix
	return s
}

// oracleConfig is the connector config of class for the private server,
// capturing database db with the given modes, written with JsonConverter.
func oracleConfig(t *testing.T, name, class, host, port, db string, mode map[string]string, serverID int) map[string]string {
	cfg := connectorConfig(t, name)
	cfg["connector.class"] = class
	cfg["database.hostname"], cfg["database.port"], cfg["database.user"], cfg["database.password"] = host, port, "cdc", "cdc"
	cfg["database.include.list"] = db
	delete(cfg, "table.include.list")
	cfg["database.server.id"] = strconv.Itoa(serverID)
	// Debezium's schema snapshot covers every database of the server by
	// default; ferry's, the captured ones (as with this setting).
	cfg["schema.history.internal.store.only.captured.databases.ddl"] = "true"
	for k, v := range mode {
		cfg[k] = v
	}
	for k, v := range oracle.JSONConverters {
		cfg[k] = v
	}
	return cfg
}
