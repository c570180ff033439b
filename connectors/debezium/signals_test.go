package debezium

import "testing"

// An additional condition applies to the tables its data-collection
// matches as a whole name, case-insensitively; the first match wins.
func TestSnapshotRequestCondition(t *testing.T) {
	r, err := ParseSnapshotRequest(`{"data-collections": ["db.orders", "db.items"], "additional-conditions": [
		{"data-collection": "DB.Orders", "filter": "color = 'red'"},
		{"data-collection": "db\\..*", "filter": "id > 10"},
		{"data-collection": "db.orders", "filter": "never used"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]string{"db.orders": "color = 'red'", "db.items": "id > 10", "other.items": "", "db.orders2": "id > 10"} {
		if got := r.Condition(table); got != want {
			t.Errorf("Condition(%s) = %q, want %q", table, got, want)
		}
	}
	if r.Type != SnapshotIncremental {
		t.Errorf("type %q", r.Type)
	}
}

func TestFilterClauseAndLog(t *testing.T) {
	for in, want := range map[string]string{"": "", "  ": "", "a = 1 OR b = 2": "(a = 1 OR b = 2)"} {
		if got := FilterClause(in); got != want {
			t.Errorf("FilterClause(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{`{"message": "hello {}"}`: "hello {}", `{}`: "", `nope`: ""} {
		if got := LogMessage(in); got != want {
			t.Errorf("LogMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
