//go:build integration

package jdbcsink_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
	"github.com/ferryhq/ferry/connectors/jdbcsink"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// database is one of the databases the sink is tested against.
type database struct {
	name, env string
	db        *sql.DB
	url       string
}

// rig is one test's Kafka, databases and state store.
type rig struct {
	*sinktest.Rig
	dbs []*database
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{Rig: sinktest.New(t, "jdbc-test", jdbcsink.Plugin(), file.Sink())}
	r.Sep = "_" // topics name tables
	for _, d := range []struct{ name, env string }{{"postgres", "POSTGRES_URL"}, {"mariadb", "MYSQL_URL"}} {
		raw := os.Getenv(d.env)
		if raw == "" {
			t.Fatalf("%s must be set: run `eval \"$(localstack/up postgres mariadb)\"`", d.env)
		}
		u, err := dialect.ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		db, err := dialect.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		r.dbs = append(r.dbs, &database{name: d.name, env: d.env, db: db, url: raw})
	}
	return r
}

func (d *database) count(t testing.TB, table string) int {
	var n int
	if err := d.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
