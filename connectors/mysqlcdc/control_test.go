package mysqlcdc

import (
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/connectors/debezium/debeziumtest"
)

// pause-snapshot holds the next chunk and is kept in the offset until
// resume-snapshot; additional-conditions go with their table into the
// offset (Debezium's collections JSON), back, and into the chunk query.
func TestPauseResumeAndConditions(t *testing.T) {
	for _, tc := range debeziumtest.PauseResumeAndConditions("db.a", "db.b") {
		t.Run(tc.Name, func(t *testing.T) {
			tk := incTask(t)
			for _, s := range tc.Signals {
				tk.signal("s", s[0], s[1])
			}
			if tk.inc.paused != tc.WantPaused || tk.inc.conds["db.a"] != tc.WantCond {
				t.Fatalf("paused %v condition %q, want %v %q", tk.inc.paused, tk.inc.conds["db.a"], tc.WantPaused, tc.WantCond)
			}
			off := tk.inc.store(map[string]any{})
			back := incTask(t)
			if err := back.restoreIncremental(off); err != nil {
				t.Fatal(err)
			}
			if back.inc.paused != tc.WantPaused || back.inc.conds["db.a"] != tc.WantCond || !reflect.DeepEqual(back.inc.queue, tk.inc.queue) {
				t.Fatalf("restored %+v from %v", back.inc, off)
			}
			if tc.WantPaused {
				if err := tk.nextChunk(); err != nil || tk.inc.win.Pending() {
					t.Fatalf("a paused snapshot read a chunk: %v", err)
				}
			}
			if tc.WantCond != "" {
				tk.inc.max = []any{int32(9)}
				want := "SELECT `id` FROM `db`.`a` WHERE `id` <= 9 AND (id > 2) ORDER BY `id` LIMIT 2"
				if got := tk.incChunkQuery(tk.byName["db.a"]); got != want {
					t.Fatalf("query\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
}
