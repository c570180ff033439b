//go:build integration

package jdbc_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/functions"
)

// Wrong credentials, a missing table and a table without the incrementing
// column each fail the task with a message naming the problem and what to do.
func TestBadInput(t *testing.T) {
	for _, d := range databases(t) {
		table := uniq("bad")
		d.exec(t, "CREATE TABLE "+table+" (name VARCHAR(20) NOT NULL)")
		wrongPass := strings.Replace(d.jdbcURL, "password=ferry", "password=wrong", 1)
		tests := []struct {
			name string
			cfg  map[string]string
			want []string
		}{
			{"wrong credentials", map[string]string{"connection.url": wrongPass, "mode": "bulk", "table.whitelist": table},
				[]string{"credentials", "connection.user and connection.password"}},
			{"unreachable", map[string]string{"connection.url": strings.Replace(strings.Replace(d.jdbcURL, ":5432/", ":1/", 1), ":3306/", ":1/", 1),
				"mode": "bulk", "table.whitelist": table}, []string{"cannot connect", "check connection.url"}},
			{"missing table", map[string]string{"connection.url": d.jdbcURL, "mode": "bulk", "table.whitelist": "no_such_table_xyz"},
				[]string{"no_such_table_xyz", "does not exist", "remove it from table.whitelist"}},
			{"no incrementing column", map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing", "table.whitelist": table,
				"incrementing.column.name": "id"}, []string{`"id"`, table, "fix incrementing.column.name"}},
			{"no auto-increment column", map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing", "table.whitelist": table},
				[]string{table, "no auto-increment column", "set incrementing.column.name"}},
		}
		for _, tt := range tests {
			t.Run(d.name+"/"+tt.name, func(t *testing.T) {
				tt.cfg["topic.prefix"] = "bad-"
				hs := newHarness(t, table, tt.cfg)
				tc := map[string]string{"tables": tt.cfg["table.whitelist"]}
				for k, v := range hs.cfg {
					tc[k] = v
				}
				res := hs.invoke(tc)
				want := functions.StateFailed
				if tt.name == "unreachable" {
					want = functions.StateRetrying // ferry's connection.attempts: retried with back-off
				}
				if res.State != want {
					t.Fatalf("state %s, want %s (trace %q)", res.State, want, res.Trace)
				}
				for _, w := range tt.want {
					if !strings.Contains(res.Trace, w) {
						t.Errorf("trace %q does not contain %q", res.Trace, w)
					}
				}
				t.Logf("%s", firstLine(res.Trace))
			})
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A column of a type the connector cannot map is reported once, by name and
// type, and left out of the records (as Confluent's connector does).
func TestUnsupportedColumnReportedOnce(t *testing.T) {
	var logs syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	d := databases(t)[0] // PostgreSQL: point is a geometric type
	table := uniq("unsup")
	d.exec(t, "CREATE TABLE "+table+" (id SERIAL PRIMARY KEY, p POINT)", "INSERT INTO "+table+" (p) VALUES ('(1,2)')")
	hs := newHarness(t, table, map[string]string{"connection.url": d.jdbcURL, "mode": "incrementing", "table.whitelist": table, "topic.prefix": "unsup-"})
	tc := hs.taskConfigs(1)[0]
	for i := 0; i < 2; i++ {
		if res := hs.invoke(tc); res.State != functions.StateRunning {
			t.Fatalf("%s: %s", res.State, res.Trace)
		}
	}
	out := logs.String()
	if n := strings.Count(out, "column=p type=point"); n != 1 {
		t.Fatalf("column p (point) reported %d times, want once; logs:\n%s", n, out)
	}
	got := consume(t, "unsup-"+table, 1, 20e9)
	if len(got) != 1 || got[0]["p"] != nil {
		t.Fatalf("records %v: want one record without p", got)
	}
}
