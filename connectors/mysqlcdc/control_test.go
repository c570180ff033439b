package mysqlcdc

import (
	"reflect"
	"testing"
)

// pause-snapshot holds the next chunk and is kept in the offset until
// resume-snapshot; additional-conditions go with their table into the
// offset (Debezium's collections JSON), back, and into the chunk query.
func TestPauseResumeAndConditions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		signals    [][2]string // type, data
		wantPaused bool
		wantCond   string
	}{
		{"pause", [][2]string{{"execute-snapshot", `{"data-collections": ["db.a"]}`}, {"pause-snapshot", ``}}, true, ""},
		{"pause then resume", [][2]string{{"execute-snapshot", `{"data-collections": ["db.a"]}`}, {"pause-snapshot", ``}, {"resume-snapshot", `{}`}}, false, ""},
		{"pause without a snapshot does nothing", [][2]string{{"pause-snapshot", ``}}, false, ""},
		{"condition", [][2]string{{"execute-snapshot", `{"data-collections": ["db.a"], "additional-conditions": [{"data-collection": "DB.A", "filter": "id > 2"}]}`}}, false, "id > 2"},
		{"condition of another table", [][2]string{{"execute-snapshot", `{"data-collections": ["db.a"], "additional-conditions": [{"data-collection": "db.b", "filter": "id > 2"}]}`}}, false, ""},
		{"stop clears the pause", [][2]string{{"execute-snapshot", `{"data-collections": ["db.a"]}`}, {"pause-snapshot", ``}, {"stop-snapshot", `{}`}}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := incTask(t)
			for _, s := range tc.signals {
				tk.signal("s", s[0], s[1])
			}
			if tk.inc.paused != tc.wantPaused || tk.inc.conds["db.a"] != tc.wantCond {
				t.Fatalf("paused %v condition %q, want %v %q", tk.inc.paused, tk.inc.conds["db.a"], tc.wantPaused, tc.wantCond)
			}
			off := tk.inc.store(map[string]any{})
			back := incTask(t)
			if err := back.restoreIncremental(off); err != nil {
				t.Fatal(err)
			}
			if back.inc.paused != tc.wantPaused || back.inc.conds["db.a"] != tc.wantCond || !reflect.DeepEqual(back.inc.queue, tk.inc.queue) {
				t.Fatalf("restored %+v from %v", back.inc, off)
			}
			if tc.wantPaused {
				if err := tk.nextChunk(); err != nil || tk.inc.win.Pending() {
					t.Fatalf("a paused snapshot read a chunk: %v", err)
				}
			}
			if tc.wantCond != "" {
				tk.inc.max = []any{int32(9)}
				want := "SELECT `id` FROM `db`.`a` WHERE `id` <= 9 AND (id > 2) ORDER BY `id` LIMIT 2"
				if got := tk.incChunkQuery(tk.byName["db.a"]); got != want {
					t.Fatalf("query\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
}
