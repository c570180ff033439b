// Package debeziumtest holds the cases every Debezium-compatible CDC
// connector of ferry runs against its own code, so the connectors agree on
// Debezium's behaviour. Only tests import it.
package debeziumtest

import "strings"

// SignalCase is signals sent one after another (type and data each) and
// the incremental snapshot state they leave for the captured table: paused
// or not, and the table's additional condition ("" for none).
type SignalCase struct {
	Name       string
	Signals    [][2]string
	WantPaused bool
	WantCond   string
}

// PauseResumeAndConditions are Debezium's pause-snapshot, resume-snapshot
// and stop-snapshot signals and the additional-conditions of
// execute-snapshot, for the captured table (its data-collection name, as
// "db.table" or "schema.table") and other, a table it does not capture. A
// pause holds the snapshot until a resume or a stop, and is ignored with no
// snapshot running; a condition's data-collection matches the table without
// regard to case; a log signal changes nothing. The condition is "id > 2".
func PauseResumeAndConditions(table, other string) []SignalCase {
	execute := `{"data-collections": ["` + table + `"]}`
	condition := func(on string) string {
		return `{"data-collections": ["` + table + `"], "additional-conditions": [{"data-collection": "` + on + `", "filter": "id > 2"}]}`
	}
	return []SignalCase{
		{"pause", [][2]string{{"execute-snapshot", execute}, {"pause-snapshot", ``}}, true, ""},
		{"pause then resume", [][2]string{{"execute-snapshot", execute}, {"pause-snapshot", ``}, {"resume-snapshot", `{}`}}, false, ""},
		{"pause without a snapshot does nothing", [][2]string{{"pause-snapshot", ``}}, false, ""},
		{"condition", [][2]string{{"execute-snapshot", condition(strings.ToUpper(table))}}, false, "id > 2"},
		{"condition of another table", [][2]string{{"execute-snapshot", condition(other)}}, false, ""},
		{"stop clears the pause", [][2]string{{"execute-snapshot", execute}, {"pause-snapshot", ``}, {"stop-snapshot", `{}`}}, false, ""},
		{"log", [][2]string{{"log", `{"message": "hello"}`}}, false, ""},
	}
}
