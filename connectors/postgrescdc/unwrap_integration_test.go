//go:build integration

package postgrescdc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// Debezium's ExtractNewRecordState (transforms=unwrap) turns these change
// events into plain rows: inserts and updates become the after state with
// __op, a delete is rewritten with __deleted=true.
func TestExtractNewRecordState(t *testing.T) {
	conn := pg(t)
	name := uniq("unwrap")
	tbl := name + "_t"
	exec(t, conn, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, label TEXT NOT NULL)", "ALTER TABLE "+tbl+" REPLICA IDENTITY FULL")
	dropSlot(t, conn, name)
	cfg := connectorConfig(t, name, "public."+tbl)
	cfg["snapshot.mode"] = "no_data"
	cfg["transforms"] = "unwrap"
	cfg["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState"
	cfg["transforms.unwrap.add.fields"] = "op"
	cfg["transforms.unwrap.delete.handling.mode"] = "rewrite"
	hs := newHarness(t, cfg)
	hs.Drain(100)
	exec(t, conn, "INSERT INTO "+tbl+" VALUES (1, 'a')", "UPDATE "+tbl+" SET label = 'b' WHERE id = 1", "DELETE FROM "+tbl+" WHERE id = 1")
	hs.DrainAtLeast(100, 4)
	got := consume(t, name+".public."+tbl, 3, 20*time.Second)
	want := []string{"map[__deleted:false __op:c id:1 label:a]", "map[__deleted:false __op:u id:1 label:b]", "map[__deleted:true __op:d id:1 label:b]"}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d (the tombstone dropped)", len(got), len(want))
	}
	for i, w := range want {
		if g := fmt.Sprint(sourcetest.Payload(got[i].Value)); g != w {
			t.Errorf("record %d: %s, want %s", i, g, w)
		}
	}
}
