//go:build integration

package mysqlcdc_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestDebeziumOracleKafkaSignal sends one execute-snapshot signal with
// additional-conditions through the Kafka signal channel to Debezium's
// MySqlConnector and to ferry's MariaDbConnector streaming the same MariaDB
// (see oracleVersion), each keyed by its topic.prefix, after a signal keyed
// by neither: both snapshot exactly the rows the filters select, and every
// read compares equal.
func TestDebeziumOracleKafkaSignal(t *testing.T) {
	conn, host, port, id := oracleServer(t, "osig")
	db := id
	exec(t, conn, "CREATE TABLE "+db+".sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	topic := "signals-" + id
	dname, fname := "dbz"+id[4:], "fry"+id[4:]
	// The topic exists (with a signal for no one) before either starts.
	sendKafkaSignal(t, topic, "nobody", "n1", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+db+`.types"]}`)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, topic) })
	mode := maps.Clone(oracleModes[0])
	mode["snapshot.mode"] = "no_data"
	mode["signal.data.collection"] = db + ".sig"
	mode["incremental.snapshot.chunk.size"] = "2"
	mode["signal.enabled.channels"] = "source,kafka"
	mode["signal.kafka.topic"] = topic
	mode["signal.kafka.bootstrap.servers"] = strings.Join(seeds, ",")
	mode["signal.kafka.groupId"] = "signals-" + dname
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	kc.Start(oracleConfig(t, dname, mysqlcdc.MySQLClass, host, port, db, mode, 5700), nil)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
	mode["signal.kafka.groupId"] = "signals-" + fname
	hs := newHarness(t, oracleConfig(t, fname, mysqlcdc.MariaDBClass, host, port, db, mode, 5800))
	tables := []string{"types", "multi", "mark"}
	dbz, fry := oracle.NewSide(dname, db, tables), oracle.NewSide(fname, db, tables)
	c := oracle.NewCollector(t, seeds, append(topicList(dbz), append(topicList(fry), dname, fname)...))
	dbz.Topics[""], fry.Topics[""] = dname, fname
	c.InvokeUntil("ferry's schema snapshot", func() bool { return len(c.Recs[fname]) > 0 }, hs.Running)
	c.Until("Debezium's schema snapshot", func() bool { return len(c.Recs[dname]) > 0 })
	exec(t, conn, "INSERT INTO "+db+".mark VALUES (1)")
	c.InvokeUntilMarker(fry, 1, hs.Running)
	c.Until("Debezium's marker", func() bool { return c.HasID(dbz.Topics["mark"], 1) })

	data := `{"data-collections": ["` + db + `.types", "` + db + `.multi"], "type": "incremental", "additional-conditions": [` +
		`{"data-collection": "` + db + `.multi", "filter": "b = 'x'"}, {"data-collection": "` + strings.ToUpper(db) + `.TYPES", "filter": "id >= 3"}]}`
	sendKafkaSignal(t, topic, dname, "k1", debezium.SignalExecuteSnapshot, data)
	sendKafkaSignal(t, topic, fname, "k1", debezium.SignalExecuteSnapshot, data)
	counts := map[string]int{"types": 2, "multi": 2}
	c.InvokeUntil("ferry's incremental snapshot", func() bool { return c.HasCounts(fry, counts) }, hs.Running)
	c.WantCounts(dbz, counts)
	if err := hs.Running(); err != nil { // and once more: nothing beyond the filters
		t.Fatal(err)
	}
	for _, side := range []oracle.Side{dbz, fry} {
		if got := c.Counts(side); got["types"] != 2 || got["multi"] != 2 {
			t.Fatalf("%s read %v, want only the rows the filters select %v", side.Prefix, got, counts)
		}
	}

	tally := oracle.NewTally()
	phase := func(*kgo.Record) string { return "kafka signal, additional-conditions" }
	if err := tally.CompareSides(c, incRules, dbz, fry, []string{"types", "multi"}, phase, "incremental"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"kafka signal, additional-conditions"})
	t.Log(tally.Summary([]string{"kafka signal, additional-conditions"}))
}
