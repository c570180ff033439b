//go:build integration

package postgrescdc_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/postgrescdc"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/jackc/pgx/v5"
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
type harness struct{ *sourcetest.Harness }

func newHarness(t testing.TB, cfg map[string]string) *harness {
	t.Helper()
	return &harness{sourcetest.New(t, seeds(t), connectors.NewRegistry(postgrescdc.Plugin()), cfg)}
}

func seeds(t testing.TB) []string { return strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",") }

// consume reads up to n records of topic (sourcetest.Consume).
func consume(t testing.TB, topic string, n int, timeout time.Duration) []sourcetest.Message {
	return sourcetest.Consume(t, seeds(t), topic, n, timeout)
}

func uniq(prefix string) string { return fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e10) }
