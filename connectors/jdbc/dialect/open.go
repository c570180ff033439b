package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrAuth means the database refused the credentials: fix connection.user
// and connection.password (or the user=/password= of connection.url).
var ErrAuth = errors.New("database refused the credentials")

// ErrConnect means the database could not be reached or refused the session;
// the error is a connectors.RetriableError.
var ErrConnect = errors.New("cannot connect to the database")

// Open returns a connection pool for u and checks it with a ping, so a bad
// address or bad credentials fail here with ErrConnect or ErrAuth.
// Timestamps of MySQL columns without a zone are read as UTC wall clocks.
func Open(ctx context.Context, u *URL) (*sql.DB, error) {
	var db *sql.DB
	switch u.Dialect {
	case PostgreSQL:
		cfg, err := PgxConfig(u)
		if err != nil {
			return nil, err
		}
		db = stdlib.OpenDB(*cfg)
	case MySQL:
		cfg, err := MySQLConfig(u)
		if err != nil {
			return nil, err
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrURL, u, err)
		}
		db = sql.OpenDB(conn)
	default:
		return nil, fmt.Errorf("%w: no dialect", ErrURL)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, Describe(u, err)
	}
	return db, nil
}

// PgxConfig is the pgx connection config for a PostgreSQL URL.
func PgxConfig(u *URL) (*pgx.ConnConfig, error) {
	kv := []string{"host=" + pgQuote(u.Host), "port=" + u.Port, "user=" + pgQuote(u.User), "password=" + pgQuote(u.Password)}
	if u.Database != "" {
		kv = append(kv, "dbname="+pgQuote(u.Database))
	}
	if _, ok := u.Params["sslmode"]; !ok {
		kv = append(kv, "sslmode=prefer")
	}
	for k, v := range u.Params {
		switch k {
		case "sslmode", "connect_timeout", "application_name", "options", "sslrootcert", "sslcert", "sslkey":
			kv = append(kv, k+"="+pgQuote(v))
		}
	}
	cfg, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrURL, u, err)
	}
	return cfg, nil
}

func pgQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// MySQLConfig is the go-sql-driver config for a MySQL or MariaDB URL,
// with TLS from its sslMode properties (mysqlTLS).
func MySQLConfig(u *URL) (*mysql.Config, error) {
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = u.User, u.Password, "tcp", u.Addr(), u.Database
	c.ParseTime = true
	c.Loc = time.UTC
	c.Timeout = 10 * time.Second
	c.Params = map[string]string{"time_zone": "'+00:00'"}
	t, err := mysqlTLS(u)
	c.TLS = t
	return c, err
}

// Describe turns a driver error from connecting into ErrAuth or ErrConnect
// with a message that says what to check.
func Describe(u *URL, err error) error {
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"),
		errors.As(err, &me) && (me.Number == 1045 || me.Number == 1698):
		return fmt.Errorf("%w: %s as user %q: %v; check connection.user and connection.password", ErrAuth, u, u.User, err)
	case strings.Contains(err.Error(), "password authentication failed"):
		return fmt.Errorf("%w: %s as user %q: %v; check connection.user and connection.password", ErrAuth, u, u.User, err)
	}
	// Unreachable or refusing sessions: retriable, ferry retries with back-off
	// (what connection.attempts and connection.backoff.ms do in Confluent's).
	return connectors.Retriable(fmt.Errorf("%w: %s: %v; check connection.url and that the database is running", ErrConnect, u, err))
}
