//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions"
)

// A blocking execute-snapshot holds the stream: the named tables are read
// in chunks over several invocations (each a fresh task), marked as
// Debezium marks a snapshot (first, first_in_data_collection,
// last_in_data_collection, last), with the additional condition applied;
// rows inserted after the signal are streamed only after the snapshot's
// last read, and streaming then goes on from where it stopped.
func TestBlockingSnapshot(t *testing.T) {
	a, b := uniq("blka"), uniq("blkb")
	fillTable(t, a, 40)
	fillTable(t, b, 40)
	sig := signalTable(t)
	cfg := incConfig(t, sig, "10", a, b)
	cfg["snapshot.fetch.size"] = "15"
	hs := newHarness(t, cfg)
	hs.DrainAtLeast(100, 1)
	conn, d := db(t), mariadb(t).db
	exec(t, conn, "INSERT INTO "+strings.Split(sig, ".")[1]+` VALUES ('b-1', 'execute-snapshot', '{"data-collections": ["`+d+"."+a+`", "`+d+"."+b+
		`"], "type": "blocking", "additional-conditions": [{"data-collection": "`+d+"."+b+`", "filter": "id <= 20"}]}')`)
	for id := 1001; id <= 1005; id++ {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d)", a, id, id))
	}
	invocations, started := 0, false
	for deadline := time.Now().Add(40 * time.Second); ; invocations++ {
		if time.Now().After(deadline) {
			t.Fatalf("the blocking snapshot did not end in 40 s (%d invocations)", invocations)
		}
		if res := hs.Invoke(10); res.State != functions.StateRunning {
			t.Fatalf("%s: %s", res.State, res.Trace)
		}
		_, running := hs.Committed()[mysqlcdc.OffsetBlocking]
		if started && !running {
			break
		}
		started = started || running
	}
	hs.drainQuiet()
	if invocations < 3 {
		t.Fatalf("the blocking snapshot took %d invocations, want several", invocations)
	}
	ta, tb := a+"."+d+"."+a, a+"."+d+"."+b // the connector is named after a
	type ev struct{ op, mark, id string }
	events := func(topic string) []ev {
		var out []ev
		for _, m := range consume(t, topic, endOffset(t, topic), 30*time.Second) {
			if m.Value == nil {
				continue
			}
			src, _ := m.Value["source"].(map[string]any)
			row, _ := m.Value["after"].(map[string]any)
			out = append(out, ev{fmt.Sprint(m.Value["op"]), fmt.Sprint(src["snapshot"]), fmt.Sprint(row["id"])})
		}
		return out
	}
	evA, evB := events(ta), events(tb)
	reads := map[string]int{}
	lastRead, firstCreate := -1, len(evA)
	for i, e := range evA {
		if e.op == "r" {
			reads[e.id]++
			lastRead = i
		} else if e.op == "c" && i < firstCreate {
			firstCreate = i
		}
	}
	for id := 1; id <= 40; id++ {
		if reads[fmt.Sprint(id)] != 1 {
			t.Errorf("%s id %d read %d times, want once", a, id, reads[fmt.Sprint(id)])
		}
	}
	if firstCreate < lastRead || len(evA)-firstCreate != 5 {
		t.Fatalf("%s: the inserts after the signal are at %d (%d of them), the snapshot's last read at %d: streaming did not wait", a, firstCreate, len(evA)-firstCreate, lastRead)
	}
	if evA[0].mark != "first" || evA[lastRead].mark != "last_in_data_collection" {
		t.Errorf("%s marks: first %q, last read %q", a, evA[0].mark, evA[lastRead].mark)
	}
	if len(evB) != 20 || evB[0].mark != "first_in_data_collection" || evB[19].mark != "last" {
		t.Fatalf("%s: %d events (want the 20 rows the filter selects), marks %v", b, len(evB), evB)
	}
	for i, e := range evB {
		if e.op != "r" || e.id != fmt.Sprint(i+1) {
			t.Fatalf("%s event %d: %+v, want the read of id %d", b, i, e, i+1)
		}
	}
	t.Logf("%d invocations; %s: %d events, %s: %d reads", invocations, a, len(evA), b, len(evB))
}
