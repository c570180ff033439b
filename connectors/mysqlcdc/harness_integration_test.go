//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions/sourcetest"
	"github.com/ferryhq/ferry/state"
	"github.com/go-mysql-org/go-mysql/client"
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
type harness struct{ *sourcetest.Harness }

// plugins are the connectors the harness runs.
func plugins() *connectors.Registry {
	return connectors.NewRegistry(mysqlcdc.MySQL(), mysqlcdc.MariaDB())
}

func newHarness(t testing.TB, cfg map[string]string) *harness {
	t.Helper()
	return &harness{sourcetest.New(t, seeds(t), plugins(), cfg)}
}

// newHarnessOn is a harness on store: a restarted worker of the same state.
func newHarnessOn(t testing.TB, cfg map[string]string, store state.Store) *harness {
	t.Helper()
	return &harness{sourcetest.NewOn(t, seeds(t), plugins(), cfg, store)}
}

func seeds(t testing.TB) []string { return strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",") }

// consume reads up to n records of topic (sourcetest.Consume).
func consume(t testing.TB, topic string, n int, timeout time.Duration) []sourcetest.Message {
	return sourcetest.Consume(t, seeds(t), topic, n, timeout)
}

func uniq(prefix string) string { return fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e10) }
