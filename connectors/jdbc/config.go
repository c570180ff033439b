// Package jdbc is a Go rebuild of Confluent's JDBC source connector
// (io.confluent.connect.jdbc.JdbcSourceConnector) for PostgreSQL and
// MySQL/MariaDB: the same config keys, modes (bulk, incrementing, timestamp,
// timestamp+incrementing, query), topics, column type mapping and source
// offsets, so a config written for Confluent's connector runs as written and
// offsets mean the same thing.
//
// Each invocation resumes every assigned table from its committed offset,
// reads at most batch.max.rows rows per table per poll, and returns nothing
// once a full pass over its tables found no new rows.
package jdbc

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// Class is Confluent's connector class name.
const Class = "io.confluent.connect.jdbc.JdbcSourceConnector"

// The modes of Confluent's mode key.
const (
	ModeBulk                  = "bulk"
	ModeIncrementing          = "incrementing"
	ModeTimestamp             = "timestamp"
	ModeTimestampIncrementing = "timestamp+incrementing"
)

// The numeric.mapping values.
const (
	NumericNone           = "none"
	NumericPrecisionOnly  = "precision_only"
	NumericBestFit        = "best_fit"
	NumericBestFitEagerDb = "best_fit_eager_double"
)

// TablesKey is the task config key listing a task's tables, as Confluent's.
const TablesKey = "tables"

// DefaultPollIntervalMs is Confluent's poll.interval.ms default; the
// connector writes it into task configs that do not set the key, so the
// scheduler waits as long between idle invocations.
const DefaultPollIntervalMs = "5000"

// Config is JdbcSourceConnectorConfig, the keys ferry implements.
type Config struct {
	URL              string   `config:"connection.url" required:"true" importance:"high" group:"Database" doc:"JDBC connection URL: jdbc:postgresql://host:port/db, jdbc:mysql://host:port/db or jdbc:mariadb://host:port/db (user= and password= properties allowed)."`
	User             string   `config:"connection.user" importance:"high" group:"Database" doc:"JDBC connection user."`
	Password         string   `config:"connection.password" type:"PASSWORD" importance:"high" group:"Database" doc:"JDBC connection password."`
	Attempts         int      `config:"connection.attempts" default:"3" min:"1" importance:"low" group:"Database" doc:"Maximum number of attempts to retrieve a valid JDBC connection (ferry: an unreachable database is a retriable failure the scheduler retries with back-off)."`
	BackoffMs        int64    `config:"connection.backoff.ms" default:"10000" importance:"low" group:"Database" doc:"Backoff time in milliseconds between connection attempts."`
	Whitelist        []string `config:"table.whitelist" default:"" importance:"medium" group:"Database" doc:"List of tables to include in copying. Use a comma-separated list."`
	Blacklist        []string `config:"table.blacklist" default:"" importance:"medium" group:"Database" doc:"List of tables to exclude from copying."`
	IncludeList      []string `config:"table.include.list" default:"" importance:"medium" group:"Database" doc:"List of tables to include in copying (the newer name of table.whitelist)."`
	ExcludeList      []string `config:"table.exclude.list" default:"" importance:"medium" group:"Database" doc:"List of tables to exclude from copying (the newer name of table.blacklist)."`
	CatalogPattern   string   `config:"catalog.pattern" importance:"medium" group:"Database" doc:"Catalog pattern to fetch table metadata from the database (MySQL: the database)."`
	SchemaPattern    string   `config:"schema.pattern" importance:"medium" group:"Database" doc:"Schema pattern to fetch table metadata from the database (PostgreSQL). Default: every schema on the search path."`
	NumericMapping   string   `config:"numeric.mapping" default:"none" enum:"none,precision_only,best_fit,best_fit_eager_double" importance:"low" group:"Database" doc:"Map NUMERIC values by precision and optionally scale to integral or decimal types."`
	NumericPrecision bool     `config:"numeric.precision.mapping" default:"false" importance:"low" group:"Database" doc:"Deprecated: numeric.mapping=precision_only."`
	DialectName      string   `config:"dialect.name" default:"" importance:"low" group:"Database" doc:"The dialect to use; empty picks it from connection.url."`
	TableTypes       []string `config:"table.types" default:"TABLE" importance:"low" group:"Database" doc:"Table types to fetch: TABLE, VIEW."`
	Mode             string   `config:"mode" required:"true" enum:"bulk,timestamp,incrementing,timestamp+incrementing" importance:"high" group:"Mode" doc:"The mode for updating a table each time it is polled."`
	IncrementingCol  string   `config:"incrementing.column.name" default:"" importance:"medium" group:"Mode" doc:"The name of the strictly incrementing column to use to detect new rows. Empty picks the table's auto-increment column."`
	TimestampCols    []string `config:"timestamp.column.name" default:"" importance:"medium" group:"Mode" doc:"Comma-separated list of timestamp columns; the first non-null value (COALESCE) is used."`
	TimestampInitial int64    `config:"timestamp.initial" default:"0" importance:"low" group:"Mode" doc:"Epoch ms of the first timestamp to read when there is no offset; -1 means the current time."`
	ValidateNonNull  bool     `config:"validate.non.null" default:"true" importance:"low" group:"Mode" doc:"Fail when an incrementing or timestamp column is nullable."`
	Query            string   `config:"query" default:"" importance:"medium" group:"Mode" doc:"If specified, the query to perform to select new or updated rows (query mode)."`
	QuoteIdentifiers string   `config:"quote.sql.identifiers" default:"always" enum:"always,never" importance:"medium" group:"Mode" doc:"When to quote table names, column names, and other identifiers in SQL statements."`
	QuerySuffix      string   `config:"query.suffix" default:"" importance:"low" group:"Mode" doc:"Suffix to append at the end of the generated query."`
	PollIntervalMs   int64    `config:"poll.interval.ms" default:"5000" min:"0" importance:"high" group:"Connector" doc:"Frequency in ms to poll for new data in each table (ferry: the pause between idle invocations)."`
	BatchMaxRows     int      `config:"batch.max.rows" default:"100" min:"1" importance:"low" group:"Connector" doc:"Maximum number of rows to include in a single batch when polling for new data."`
	TablePollMs      int64    `config:"table.poll.interval.ms" default:"60000" importance:"low" group:"Connector" doc:"Frequency in ms to poll for new or removed tables (ferry: tables are listed whenever tasks are split)."`
	TopicPrefix      string   `config:"topic.prefix" required:"true" importance:"high" group:"Connector" doc:"Prefix to prepend to table names to generate the name of the Kafka topic; in query mode, the topic name."`
	DelayMs          int64    `config:"timestamp.delay.interval.ms" default:"0" min:"0" importance:"high" group:"Connector" doc:"How long to wait after a row with a certain timestamp appears before we include it in the result."`
	DBTimezone       string   `config:"db.timezone" default:"UTC" importance:"medium" group:"Connector" doc:"Name of the JDBC timezone used when querying with time-based criteria and reading columns without a time zone."`
}

// Check applies the cross-key rules of JdbcSourceConnectorConfig.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	bad := func(key, val, reason string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: reason})
	}
	if _, err := dialect.ParseURL(c.URL); err != nil {
		bad("connection.url", "****", err.Error())
	}
	if c.DialectName != "" && dialect.ByName(c.DialectName) == nil {
		bad("dialect.name", c.DialectName, "ferry supports PostgreSqlDatabaseDialect and MySqlDatabaseDialect")
	}
	if len(c.whitelist()) > 0 && len(c.blacklist()) > 0 {
		bad("table.whitelist", strings.Join(c.whitelist(), ","), "table.whitelist and table.blacklist are exclusive: set only one")
	}
	if c.Query != "" && (len(c.whitelist()) > 0 || len(c.blacklist()) > 0) {
		bad("query", c.Query, "query mode reads no tables: remove table.whitelist/table.blacklist")
	}
	if (c.Mode == ModeTimestamp || c.Mode == ModeTimestampIncrementing) && len(c.TimestampCols) == 0 {
		bad("timestamp.column.name", "", "mode "+c.Mode+" needs timestamp.column.name")
	}
	if c.Mode == ModeIncrementing || c.Mode == ModeTimestampIncrementing {
		if c.Query != "" && c.IncrementingCol == "" {
			bad("incrementing.column.name", "", "query mode cannot find an auto-increment column: set incrementing.column.name")
		}
	}
	if _, err := time.LoadLocation(c.DBTimezone); err != nil {
		bad("db.timezone", c.DBTimezone, "Invalid time zone identifier")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (c *Config) whitelist() []string {
	return append(append([]string(nil), c.Whitelist...), c.IncludeList...)
}
func (c *Config) blacklist() []string {
	return append(append([]string(nil), c.Blacklist...), c.ExcludeList...)
}

// numericMapping folds the deprecated numeric.precision.mapping into numeric.mapping.
func (c *Config) numericMapping() string {
	m := strings.ToLower(c.NumericMapping)
	if m == NumericNone && c.NumericPrecision {
		return NumericPrecisionOnly
	}
	return m
}

// connURL is connection.url with connection.user/password applied.
func (c *Config) connURL() (*dialect.URL, error) {
	u, err := dialect.ParseURL(c.URL)
	if err != nil {
		return nil, err
	}
	return u.WithCredentials(c.User, c.Password), nil
}

func parseConfig(props map[string]string) (Config, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return cfg, fmt.Errorf("jdbc source config: %w", err)
	}
	cfg.Mode = strings.ToLower(cfg.Mode)
	if err := cfg.Check(); err != nil {
		return cfg, fmt.Errorf("jdbc source config: %w", err)
	}
	return cfg, nil
}
