package mysqlcdc

import (
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"database.hostname": "h", "database.user": "u"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		props   map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{"topic.prefix", base("topic.prefix", "srv"), "", func(t *testing.T, c Config) {
			if c.prefix() != "srv" || c.serverID() < 5400 || c.serverID() > 6399 || c.SnapshotMode != "initial" || c.TimePrecision != "adaptive_time_microseconds" {
				t.Errorf("%+v", c)
			}
		}},
		{"1.x names", base("database.server.name", "old", "database.history.kafka.topic", "h", "database.history.kafka.bootstrap.servers", "k:9092",
			"snapshot.mode", "SCHEMA_ONLY", "database.server.id", "184054"), "", func(t *testing.T, c Config) {
			if c.prefix() != "old" || c.historyTopic() != "h" || c.historyServers() != "k:9092" || c.SnapshotMode != SnapshotNoData || c.serverID() != 184054 {
				t.Errorf("%+v", c)
			}
		}},
		{"no prefix", base(), "topic.prefix", nil},
		{"bad regex", base("topic.prefix", "p", "table.include.list", "a.(b"), "table.include.list", nil},
		{"both table lists", base("topic.prefix", "p", "table.include.list", "a.b", "table.exclude.list", "a.c"), "exclusive", nil},
		{"history half set", base("topic.prefix", "p", "schema.history.internal.kafka.topic", "h"), "or neither", nil},
		{"bad enum", base("topic.prefix", "p", "snapshot.mode", "sometimes"), "snapshot.mode", nil},
		{"bad prefix", base("topic.prefix", "a b"), "only letters", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.props)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestFilter(t *testing.T) {
	f := newFilter(&Config{DBInclude: []string{"inv.*"}, TableExclude: []string{`inventory\.secret`}, ColumnExclude: []string{`inventory\.users\.pw`}})
	for _, tc := range []struct {
		db, table string
		want      bool
	}{{"inventory", "users", true}, {"inventory", "secret", false}, {"other", "users", false}, {"mysql", "user", false}} {
		if got := f.table(tc.db, tc.table); got != tc.want {
			t.Errorf("%s.%s: %v", tc.db, tc.table, got)
		}
	}
	if f.column("inventory", "users", "pw") || !f.column("inventory", "users", "name") {
		t.Error("column.exclude.list")
	}
}
