//go:build integration

package postgrescdc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/postgrescdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
)

// A blocking execute-snapshot holds the stream: the named tables are read
// in chunks over several invocations (each a fresh task), marked as
// Debezium marks a snapshot, with the additional condition applied; rows
// inserted after the signal are streamed only after the snapshot's last
// read, once each, and streaming goes on from where it stopped.
func TestBlockingSnapshot(t *testing.T) {
	conn := pg(t)
	name, a, sig := incSetup(t, conn, "blk", 40)
	b := name + "_u" // after a in name order: the snapshot reads a first
	exec(t, conn, "CREATE TABLE "+b+" (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO "+b+" SELECT g, 0 FROM generate_series(1, 40) g")
	cfg := incConfig(t, name, sig, "no_data", 10, "public."+a, "public."+b)
	cfg["snapshot.fetch.size"] = "15"
	hs := newHarness(t, cfg)
	hs.Drain(1000) // creates the slot: streaming from here
	exec(t, conn, "INSERT INTO "+sig+` VALUES ('b-1', 'execute-snapshot', '{"data-collections": ["public.`+a+`", "public.`+b+
		`"], "type": "blocking", "additional-conditions": [{"data-collection": "public.`+b+`", "filter": "id <= 20"}]}')`)
	for id := 1001; id <= 1005; id++ {
		exec(t, conn, fmt.Sprintf("INSERT INTO %s VALUES (%d, 0)", a, id))
	}
	invocations, started, read := 0, false, int64(0)
	for deadline := time.Now().Add(40 * time.Second); ; invocations++ {
		if time.Now().After(deadline) {
			t.Fatalf("the blocking snapshot did not end in 40 s (%d invocations, offset %v)", invocations, hs.Committed())
		}
		res := hs.Invoke(10)
		if res.State != functions.StateRunning {
			t.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
		_, running := hs.Committed()[postgrescdc.OffsetBlocking]
		if started && !running {
			break
		}
		started = started || running
	}
	if invocations < 3 {
		t.Fatalf("the blocking snapshot took %d invocations, want several", invocations)
	}
	if rest := 45 + 20 + 5 - read; rest > 0 { // the inserts after the snapshot
		hs.DrainAtLeast(1000, rest)
	}
	type ev struct{ op, mark, id string }
	events := func(topic string, n int) []ev {
		var out []ev
		for _, m := range consume(t, topic, n, 30*time.Second) {
			if m.Value == nil {
				continue
			}
			p := sourcetest.Payload(m.Value)
			src, _ := p["source"].(map[string]any)
			row, _ := p["after"].(map[string]any)
			out = append(out, ev{fmt.Sprint(p["op"]), fmt.Sprint(src["snapshot"]), fmt.Sprint(row["id"])})
		}
		return out
	}
	evA := events(name+".public."+a, 50)
	evB := events(name+".public."+b, 20)
	reads := map[string]int{}
	lastRead, firstCreate, creates := -1, len(evA), 0
	for i, e := range evA {
		switch e.op {
		case "r":
			reads[e.id]++
			lastRead = i
		case "c":
			creates++
			firstCreate = min(firstCreate, i)
		}
	}
	for id := 1; id <= 40; id++ {
		if reads[fmt.Sprint(id)] != 1 {
			t.Errorf("%s id %d read %d times, want once", a, id, reads[fmt.Sprint(id)])
		}
	}
	if firstCreate < lastRead || creates != 5 {
		t.Fatalf("%s: %d inserts after the signal, the first at %d, the snapshot's last read at %d: want 5, after it (%v)", a, creates, firstCreate, lastRead, evA)
	}
	if evA[0].mark != "first" || evA[lastRead].mark != "last_in_data_collection" {
		t.Errorf("%s marks: first %q, last read %q", a, evA[0].mark, evA[lastRead].mark)
	}
	if len(evB) != 20 || evB[0].mark != "first_in_data_collection" || evB[19].mark != "last" {
		t.Fatalf("%s: %d events (want the 20 rows the filter selects), marks %v", b, len(evB), evB)
	}
	t.Logf("%d invocations; %s: %d events, %s: %d reads", invocations, a, len(evA), b, len(evB))
}
