//go:build integration

package mysqlcdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"
)

func env(t testing.TB, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka mariadb)\"`", key)
	}
	return v
}

// server is the MariaDB of MYSQL_URL.
type server struct{ host, port, user, password, db string }

func mariadb(t testing.TB) server {
	u, err := url.Parse(env(t, "MYSQL_URL"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return server{u.Hostname(), u.Port(), u.User.Username(), pw, strings.TrimPrefix(u.Path, "/")}
}

// db connects to the test database.
func db(t testing.TB) *client.Conn {
	t.Helper()
	s := mariadb(t)
	conn, err := client.Connect(s.host+":"+s.port, s.user, s.password, s.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

var createTable = regexp.MustCompile("(?i)^CREATE TABLE (`?[\\w]+`?)")

// exec runs statements; tables it creates are dropped when the test ends.
func exec(t testing.TB, conn *client.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Execute(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if m := createTable.FindStringSubmatch(s); m != nil {
			table := m[1]
			t.Cleanup(func() { conn.Execute("DROP TABLE IF EXISTS " + table) })
		}
	}
}

// connectorConfig is a Debezium MariaDB config with a unique prefix and
// history topic, capturing the given tables of the test database.
func connectorConfig(t testing.TB, name string, tables ...string) map[string]string {
	s := mariadb(t)
	full := make([]string, len(tables))
	for i, tb := range tables {
		full[i] = s.db + "." + tb
	}
	return map[string]string{"name": name, "connector.class": mysqlcdc.MariaDBClass,
		"database.hostname": s.host, "database.port": s.port, "database.user": s.user, "database.password": s.password,
		"topic.prefix": name, "database.include.list": s.db, "table.include.list": strings.Join(full, ","),
		"schema.history.internal.kafka.topic":             "schemahistory." + name,
		"schema.history.internal.kafka.bootstrap.servers": env(t, "KAFKA_BOOTSTRAP_SERVERS")}
}

// harness runs the connector's task through functions.Handler in-process.
type harness struct {
	t     testing.TB
	h     *functions.Handler
	store state.Store
	name  string
	class string
	cfg   map[string]string
}

func newHarness(t testing.TB, cfg map[string]string) *harness {
	t.Helper()
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newHarnessOn(t, cfg, store)
}

func newHarnessOn(t testing.TB, cfg map[string]string, store state.Store) *harness {
	t.Helper()
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(mysqlcdc.MySQL(), mysqlcdc.MariaDB()), Store: store,
		Seeds: strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ","), InstanceID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	tcs, err := mysqlcdc.Connector{}.TaskConfigs(context.Background(), cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, h: h, store: store, name: cfg["name"], class: cfg["connector.class"], cfg: tcs[0]}
}

func (hs *harness) invoke(maxRecords int) functions.Result {
	hs.t.Helper()
	ctx := context.Background()
	epoch, err := hs.store.NextEpoch(ctx, hs.name, 0)
	if err != nil {
		hs.t.Fatal(err)
	}
	res, _ := hs.h.Handle(ctx, functions.Invocation{ID: fmt.Sprintf("%s-%d", hs.name, epoch), Connector: hs.name,
		Epoch: epoch, Class: hs.class, Config: hs.cfg, Deadline: time.Now().Add(20 * time.Second), MaxRecords: maxRecords})
	return res
}

// drainAtLeast invokes until at least want records were read.
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
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
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
			out = append(out, message{Raw: r.Value, Key: decode(t, r.Key), Value: decode(t, r.Value)})
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
