//go:build integration

package postgrescdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// sendKafkaSignal produces a signal to topic, keyed by prefix.
func sendKafkaSignal(t *testing.T, topic, prefix, id, typ, data string) {
	oracle.SendSignal(t, strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), topic, prefix, id, typ, data)
}

// groupOffset is the consumer group's committed offset of partition 0.
func groupOffset(t *testing.T, group, topic string) int64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).FetchOffsetsForTopics(context.Background(), group, topic)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := resp.Lookup(topic, 0)
	return o.At
}

// readsByID counts the read events of each id in the topic's messages.
func readsByID(msgs []sourcetest.Message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		if p := sourcetest.Payload(m.Value); p != nil && p["op"] == "r" {
			out[sourcetest.Payload(m.Key)["id"].(json.Number).String()]++
		}
	}
	return out
}

// checkOnce fails unless every id in want was read exactly once and no
// other id was read.
func checkOnce(t *testing.T, reads map[string]int, want func(id int) bool, rows int) {
	t.Helper()
	for id := 1; id <= rows; id++ {
		n, k := reads[fmt.Sprint(id)], 0
		if want(id) {
			k = 1
		}
		if n != k {
			t.Errorf("id %d read %d times, want %d", id, n, k)
		}
	}
}

// A signal sent through the Kafka topic runs once: the snapshot spreads
// over invocations (each a fresh task, as after a worker restart), the
// signal's position is in the committed offset, later invocations do not
// run it again, and a second signal runs once more. The position reaches
// the consumer group too.
func TestKafkaSignalOnce(t *testing.T) {
	conn := pg(t)
	name, tbl, sig := incSetup(t, conn, "ksig", 60)
	topic := name + "-signal"
	cfg := incConfig(t, name, sig, "no_data", 10, "public."+tbl)
	cfg["signal.enabled.channels"] = "source,kafka"
	cfg["signal.kafka.bootstrap.servers"] = env(t, "KAFKA_BOOTSTRAP_SERVERS")
	cfg["signal.kafka.groupId"] = name
	hs := newHarness(t, cfg)
	read := hs.Drain(1000) // creates the slot: streaming from here
	sendKafkaSignal(t, topic, "another-connector", "not-ours", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"]}`)
	sendKafkaSignal(t, topic, name, "k1", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"], "type": "incremental"}`)
	read += hs.SnapshotRun(15, 60)
	if pos := fmt.Sprint(hs.Committed()[debezium.OffsetKafkaSignal]); pos != "2" {
		t.Fatalf("committed signal position %s, want 2 (%v)", pos, hs.Committed())
	}
	for i := 0; i < 3; i++ { // fresh tasks, nothing new: the signal is not run again
		if res := hs.Invoke(1000); res.Read != 0 || hs.Snapshotting() {
			t.Fatalf("invocation %d after the snapshot read %d records (snapshotting %v)", i, res.Read, hs.Snapshotting())
		}
	}
	msgs := consume(t, name+".public."+tbl, int(read), 30*time.Second)
	checkOnce(t, readsByID(msgs), func(int) bool { return true }, 60)
	if g := groupOffset(t, name, topic); g != 2 {
		t.Errorf("consumer group %s committed %d, want 2", name, g)
	}
	sendKafkaSignal(t, topic, name, "k2", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"], "additional-conditions": [{"data-collection": "public.`+tbl+`", "filter": "id > 50"}]}`)
	read += hs.SnapshotRun(15, 10)
	msgs = consume(t, name+".public."+tbl, int(read), 30*time.Second)
	checkOnce(t, readsByID(msgs), func(id int) bool { return true }, 50)
	reads := readsByID(msgs)
	for id := 51; id <= 60; id++ {
		if reads[fmt.Sprint(id)] != 2 {
			t.Errorf("id %d read %d times, want 2 (once per signal)", id, reads[fmt.Sprint(id)])
		}
	}
}

// pause-snapshot holds the snapshot across invocations (the pause is in
// the committed offset), resume-snapshot completes it with every row once;
// additional-conditions snapshot only the rows the filter selects.
func TestSignalPauseResumeConditions(t *testing.T) {
	conn := pg(t)
	name, tbl, sig := incSetup(t, conn, "pause", 100)
	exec(t, conn, "UPDATE "+tbl+" SET v = id")
	hs := newHarness(t, incConfig(t, name, sig, "no_data", 10, "public."+tbl))
	read := hs.Drain(1000)
	signal := func(id, typ, data string) {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES ('%s', '%s', '%s')", sig, id, typ, data))
	}
	signal("p1", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"]}`)
	read += hs.invokeWhile(15, nil, hs.Snapshotting) // the first chunks
	signal("p2", debezium.SignalPauseSnapshot, `{}`)
	// The chunk open when the pause arrives is emitted; then nothing more,
	// invocation after invocation (each a fresh task).
	for idle := 0; idle < 3; {
		n := hs.Invoke(15).Read
		if read += n; n == 0 {
			idle++
		} else {
			idle = 0
		}
		if read > 80 {
			t.Fatalf("the snapshot went on after pause-snapshot: %d records", read)
		}
	}
	if !hs.Snapshotting() {
		t.Fatalf("the paused snapshot is not in the offset: %v", hs.Committed())
	}
	signal("p3", debezium.SignalResumeSnapshot, `{}`)
	read += hs.invokeWhile(15, nil, func() bool { return !hs.Snapshotting() })
	msgs := consume(t, name+".public."+tbl, int(read), 30*time.Second)
	checkOnce(t, readsByID(msgs), func(int) bool { return true }, 100)

	// additional-conditions: only the rows the filter selects.
	signal("c1", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"], "additional-conditions": [{"data-collection": "PUBLIC.`+strings.ToUpper(tbl)+`", "filter": "v % 7 = 0"}]}`)
	read += hs.SnapshotRun(15, 14)
	msgs = consume(t, name+".public."+tbl, int(read), 30*time.Second)
	reads := readsByID(msgs)
	for id := 1; id <= 100; id++ {
		want := 1
		if id%7 == 0 {
			want = 2
		}
		if reads[fmt.Sprint(id)] != want {
			t.Errorf("id %d read %d times, want %d", id, reads[fmt.Sprint(id)], want)
		}
	}

	// A filter the database refuses stops that table's snapshot, not the task.
	signal("c2", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.`+tbl+`"], "additional-conditions": [{"data-collection": ".*", "filter": "no_such_column = 1"}]}`)
	for i := 0; i < 2; i++ {
		if res := hs.Invoke(15); res.State != functions.StateRunning || res.Read != 0 {
			t.Fatalf("after a failing filter: %s, %d records: %s", res.State, res.Read, res.Trace)
		}
	}
	if hs.Snapshotting() {
		t.Fatalf("the snapshot with a failing filter is still in the offset: %v", hs.Committed())
	}
}
