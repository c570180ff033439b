//go:build integration

package mysqlcdc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// sendKafkaSignal produces a signal to topic, keyed by prefix.
func sendKafkaSignal(t *testing.T, topic, prefix, id, typ, data string) {
	oracle.SendSignal(t, strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), topic, prefix, id, typ, data)
}

// readsByID counts the read events of each id of a table's topic.
func readsByID(t *testing.T, topic string) map[int]int {
	out := map[int]int{}
	for _, m := range consume(t, topic, endOffset(t, topic), 30*time.Second) {
		if m.Value != nil && m.Value["op"] == "r" {
			row, _ := m.Value["after"].(map[string]any)
			var id int
			fmt.Sscan(fmt.Sprint(row["id"]), &id)
			out[id]++
		}
	}
	return out
}

// checkReads fails unless id 1..rows was read want(id) times.
func checkReads(t *testing.T, reads map[int]int, rows int, want func(id int) int) {
	t.Helper()
	for id := 1; id <= rows; id++ {
		if reads[id] != want(id) {
			t.Errorf("id %d read %d times, want %d", id, reads[id], want(id))
		}
	}
}

// A signal sent through the Kafka topic runs once on MariaDB: the
// snapshot spreads over invocations (each a fresh task, as after a worker
// restart), later invocations do not run it again, a second signal (with
// additional-conditions) runs once more, and the position reaches the
// consumer group.
func TestKafkaSignalOnce(t *testing.T) {
	name := uniq("ksig")
	fillTable(t, name, 60)
	sig := signalTable(t)
	cfg := incConfig(t, sig, "10", name)
	cfg["signal.enabled.channels"] = "source,kafka"
	cfg["signal.kafka.bootstrap.servers"] = env(t, "KAFKA_BOOTSTRAP_SERVERS")
	cfg["signal.kafka.groupId"] = name
	topic, table := name+"-signal", mariadb(t).db+"."+name
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 1) // the schema snapshot: streaming from here
	sendKafkaSignal(t, topic, "another-connector", "not-ours", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"]}`)
	sendKafkaSignal(t, topic, name, "k1", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"], "type": "incremental"}`)
	hs.SnapshotRun(15, 60)
	if pos := fmt.Sprint(hs.Committed()[debezium.OffsetKafkaSignal]); pos != "2" {
		t.Fatalf("committed signal position %s, want 2 (%v)", pos, hs.Committed())
	}
	for i := 0; i < 3; i++ { // fresh tasks, nothing new: the signal is not run again
		if res := hs.Invoke(1000); res.Read != 0 || hs.Snapshotting() {
			t.Fatalf("invocation %d after the snapshot read %d records (snapshotting %v)", i, res.Read, hs.Snapshotting())
		}
	}
	data := name + "." + table
	checkReads(t, readsByID(t, data), 60, func(int) int { return 1 })
	sendKafkaSignal(t, topic, name, "k2", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"], "additional-conditions": [{"data-collection": "`+table+`", "filter": "id > 50"}]}`)
	hs.SnapshotRun(15, 10)
	checkReads(t, readsByID(t, data), 60, func(id int) int { return 1 + btoi(id > 50) })
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).FetchOffsets(context.Background(), name)
	if o, _ := resp.Lookup(topic, 0); err != nil || o.At != 3 {
		t.Errorf("consumer group %s committed %d (%v), want 3", name, o.At, err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pause-snapshot holds the snapshot across invocations, resume-snapshot
// completes it with every row once; additional-conditions snapshot only
// the rows the filter selects. Signals through the signalling table.
func TestSignalPauseResumeConditions(t *testing.T) {
	name := uniq("pause")
	fillTable(t, name, 100)
	sig := signalTable(t)
	hs := newHarness(t, incConfig(t, sig, "10", name))
	hs.DrainAtLeast(100, 1)
	conn := db(t)
	signal := func(id, typ, data string) {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES ('%s', '%s', '%s')", strings.Split(sig, ".")[1], id, typ, data))
	}
	table := mariadb(t).db + "." + name
	signal("p1", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"]}`)
	for deadline := time.Now().Add(20 * time.Second); !hs.Snapshotting(); {
		if time.Now().After(deadline) {
			t.Fatal("the snapshot did not start in 20 s")
		}
		hs.Invoke(15)
	}
	signal("p2", debezium.SignalPauseSnapshot, `{}`)
	// The chunk open when the pause arrives is emitted; then nothing more,
	// invocation after invocation (each a fresh task).
	data := name + "." + table
	for idle, deadline := 0, time.Now().Add(20*time.Second); idle < 3; {
		if time.Now().After(deadline) {
			t.Fatal("invocations still read records 20 s after pause-snapshot")
		}
		if hs.Invoke(15).Read == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	if n := len(readsByID(t, data)); n > 80 || !hs.Snapshotting() {
		t.Fatalf("after pause-snapshot: %d rows read, snapshot in the offset %v", n, hs.Snapshotting())
	}
	signal("p3", debezium.SignalResumeSnapshot, `{}`)
	hs.SnapshotRun(15, 1)
	checkReads(t, readsByID(t, data), 100, func(int) int { return 1 })

	signal("c1", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"], "additional-conditions": [{"data-collection": "`+strings.ToUpper(table)+`", "filter": "v % 7 = 0"}]}`)
	hs.SnapshotRun(15, 14)
	checkReads(t, readsByID(t, data), 100, func(id int) int { return 1 + btoi(id%7 == 0) })

	// A filter the database refuses stops that table's snapshot, not the task.
	signal("c2", debezium.SignalExecuteSnapshot, `{"data-collections": ["`+table+`"], "additional-conditions": [{"data-collection": ".*", "filter": "no_such_column = 1"}]}`)
	for i := 0; i < 2; i++ {
		if res := hs.Invoke(15); res.State != functions.StateRunning || res.Read != 0 {
			t.Fatalf("after a failing filter: %s, %d records: %s", res.State, res.Read, res.Trace)
		}
	}
	if hs.Snapshotting() {
		t.Fatalf("the snapshot with a failing filter is still in the offset: %v", hs.Committed())
	}
}
