//go:build integration

package jdbc_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
)

// env returns a required environment variable or fails the test.
func env(t testing.TB, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka postgres mariadb)\"`", key)
	}
	return v
}

// database is one of the two databases under test.
type database struct {
	name    string
	jdbcURL string
	db      *sql.DB
	d       *dialect.Dialect
}

func databases(t testing.TB) []database {
	var out []database
	for _, kv := range [][2]string{{"postgresql", "POSTGRES_URL"}, {"mariadb", "MYSQL_URL"}} {
		raw := env(t, kv[1])
		u, err := dialect.ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		db, err := dialect.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		jdbcURL := fmt.Sprintf("jdbc:%s://%s/%s?user=%s&password=%s", kv[0], u.Addr(), u.Database, u.User, u.Password)
		out = append(out, database{name: kv[0], jdbcURL: jdbcURL, db: db, d: u.Dialect})
	}
	return out
}

// exec runs statements; tables it creates are dropped when the test ends.
func (d database) exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.db.Exec(s); err != nil {
			t.Fatalf("%s: %s: %v", d.name, s, err)
		}
		if rest, ok := strings.CutPrefix(s, "CREATE TABLE "); ok {
			table, _, _ := strings.Cut(rest, " ")
			t.Cleanup(func() { d.db.Exec("DROP TABLE IF EXISTS " + table) })
		}
	}
}

// harness runs a connector's task 0 through functions.Handler in-process,
// one invocation after another, as the scheduler would.
type harness struct {
	t     testing.TB
	h     *functions.Handler
	store state.Store
	name  string
	epoch int64
	cfg   map[string]string
	task  int
}

func newHarness(t testing.TB, name string, cfg map[string]string) *harness {
	t.Helper()
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(jdbc.Plugin()), Store: store,
		Seeds: strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), InstanceID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	full := map[string]string{"name": name, "connector.class": jdbc.Class}
	for k, v := range cfg {
		full[k] = v
	}
	return &harness{t: t, h: h, store: store, name: name, cfg: full}
}

// taskConfigs splits the connector as the scheduler does.
func (hs *harness) taskConfigs(maxTasks int) []map[string]string {
	hs.t.Helper()
	tcs, err := jdbc.Connector{}.TaskConfigs(context.Background(), hs.cfg, maxTasks)
	if err != nil {
		hs.t.Fatal(err)
	}
	return tcs
}

// invoke runs one invocation of the given task config.
func (hs *harness) invoke(tc map[string]string) functions.Result {
	hs.t.Helper()
	ctx := context.Background()
	epoch, err := hs.store.NextEpoch(ctx, hs.name, hs.task)
	if err != nil {
		hs.t.Fatal(err)
	}
	res, _ := hs.h.Handle(ctx, functions.Invocation{ID: fmt.Sprintf("%s-%d", hs.name, epoch), Connector: hs.name,
		Task: hs.task, Epoch: epoch, Class: jdbc.Class, Config: tc,
		Deadline: time.Now().Add(20 * time.Second), MaxRecords: 20000})
	return res
}

// runUntil invokes task config tc repeatedly (pausing pause when an
// invocation reports no more data) until stop is true and the last
// invocation read nothing. It fails the test on a non-RUNNING result.
func (hs *harness) runUntil(tc map[string]string, pause time.Duration, stop *atomic.Bool) (invocations int) {
	hs.t.Helper()
	for {
		done := stop.Load()
		res := hs.invoke(tc)
		invocations++
		if res.State != functions.StateRunning {
			hs.t.Fatalf("invocation %d: %s: %s", invocations, res.State, res.Trace)
		}
		if done && res.Read == 0 {
			return invocations
		}
		if !res.More {
			time.Sleep(pause)
		}
	}
}

// consume reads n records of topic from the start (failing after timeout)
// and returns their JsonConverter payloads.
func consume(t testing.TB, topic string, n int, timeout time.Duration) []map[string]any {
	envs := consumeEnvelopes(t, topic, n, timeout)
	out := make([]map[string]any, len(envs))
	for i, e := range envs {
		out[i] = sourcetest.Payload(e)
	}
	return out
}

// consumeEnvelopes reads n records and returns their JsonConverter
// envelopes ({"schema": ..., "payload": ...}).
func consumeEnvelopes(t testing.TB, topic string, n int, timeout time.Duration) []map[string]any {
	t.Helper()
	msgs := sourcetest.Consume(t, strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), topic, n, timeout)
	out := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		out[i] = m.Value
	}
	return out
}

// uniq is a unique, lower-case name for tables and topics of one run.
func uniq(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e10)
}
