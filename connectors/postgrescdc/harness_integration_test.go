//go:build integration

package postgrescdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/postgrescdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

func env(t testing.TB, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka postgres)\"`", key)
	}
	return v
}

// pg connects to POSTGRES_URL.
func pg(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), env(t, "POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exec runs statements; tables it creates are dropped when the test ends.
func exec(t testing.TB, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if rest, ok := strings.CutPrefix(s, "CREATE TABLE "); ok {
			table, _, _ := strings.Cut(rest, " ")
			t.Cleanup(func() { conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table) })
		}
	}
}

// connectorConfig is a Debezium config for POSTGRES_URL with a unique slot,
// publication and prefix, capturing the given tables.
func connectorConfig(t testing.TB, name string, tables ...string) map[string]string {
	u, err := url.Parse(env(t, "POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return map[string]string{"name": name, "connector.class": postgrescdc.Class,
		"database.hostname": u.Hostname(), "database.port": u.Port(), "database.user": u.User.Username(),
		"database.password": pw, "database.dbname": strings.TrimPrefix(u.Path, "/"), "database.sslmode": "disable",
		"topic.prefix": name, "slot.name": name, "publication.name": name, "publication.autocreate.mode": "filtered",
		"table.include.list": strings.Join(tables, ","), "plugin.name": "pgoutput"}
}

// dropSlot removes the test's slot and publication at the end.
func dropSlot(t testing.TB, conn *pgx.Conn, name string) {
	t.Cleanup(func() {
		ctx := context.Background()
		for i := 0; i < 20; i++ {
			if _, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1", name); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+name)
	})
}

// harness runs the connector's task through functions.Handler in-process.
type harness struct {
	t     testing.TB
	h     *functions.Handler
	store state.Store
	name  string
	cfg   map[string]string
}

func newHarness(t testing.TB, cfg map[string]string) *harness {
	t.Helper()
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(postgrescdc.Plugin()), Store: store,
		Seeds: strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), InstanceID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	tcs, err := postgrescdc.Connector{}.TaskConfigs(context.Background(), cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, h: h, store: store, name: cfg["name"], cfg: tcs[0]}
}

func (hs *harness) invoke(maxRecords int) functions.Result {
	hs.t.Helper()
	ctx := context.Background()
	epoch, err := hs.store.NextEpoch(ctx, hs.name, 0)
	if err != nil {
		hs.t.Fatal(err)
	}
	res, _ := hs.h.Handle(ctx, functions.Invocation{ID: fmt.Sprintf("%s-%d", hs.name, epoch), Connector: hs.name,
		Epoch: epoch, Class: postgrescdc.Class, Config: hs.cfg, Deadline: time.Now().Add(20 * time.Second), MaxRecords: maxRecords})
	return res
}

// drain invokes until an invocation reads nothing; it fails on a non-RUNNING result.
func (hs *harness) drain(maxRecords int) (read int64) {
	hs.t.Helper()
	for {
		res := hs.invoke(maxRecords)
		if res.State != functions.StateRunning {
			hs.t.Fatalf("%s: %s", res.State, res.Trace)
		}
		if res.Read == 0 {
			return read
		}
		read += res.Read
	}
}

// drainAtLeast invokes until at least want records were read: under load
// an invocation can end idle before the server has decoded up to the
// changes (see the README), so one empty invocation proves nothing.
func (hs *harness) drainAtLeast(maxRecords int, want int64) (read int64) {
	hs.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); read < want; {
		if time.Now().After(deadline) {
			hs.t.Fatalf("read %d records in 60 s, want %d", read, want)
		}
		res := hs.invoke(maxRecords)
		if res.State != functions.StateRunning {
			hs.t.Fatalf("%s: %s", res.State, res.Trace)
		}
		read += res.Read
	}
	return read
}

// message is one consumed record: key and value as JSON (null for a tombstone).
type message struct {
	Key, Value map[string]any
	Raw        []byte
}

func consume(t testing.TB, topic string, n int, timeout time.Duration) []message {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []message
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			m := message{Raw: r.Value}
			m.Key = decode(t, r.Key)
			m.Value = decode(t, r.Value)
			out = append(out, m)
		})
	}
	return out
}

func decode(t testing.TB, b []byte) map[string]any {
	if b == nil {
		return nil
	}
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func payload(m map[string]any) map[string]any {
	p, _ := m["payload"].(map[string]any)
	return p
}

func uniq(prefix string) string { return fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e10) }
