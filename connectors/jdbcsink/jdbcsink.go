// Package jdbcsink is Confluent's JDBC sink connector
// (io.confluent.connect.jdbc.JdbcSinkConnector) for PostgreSQL, MySQL and
// MariaDB: records become rows, inserted, upserted or updated by primary key,
// tombstones delete rows, tables are created and widened from record schemas.
// Every invocation writes in one database transaction that Flush commits, so
// the rows and the Kafka offsets move together: a killed invocation leaves
// no rows behind and its records are read again.
package jdbcsink

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// Class is the connector class, as Confluent ships it.
const Class = "io.confluent.connect.jdbc.JdbcSinkConnector"

// Errors the sink returns; each message says what to change.
var (
	// ErrTable means the table is missing or lacks columns and the config
	// does not allow ferry to fix it (auto.create, auto.evolve).
	ErrTable = errors.New("jdbc sink: table does not fit the records")
	// ErrRecord means one record cannot become a row (no key for the
	// primary key, a value that is not a struct, a NOT NULL column left null).
	ErrRecord = errors.New("jdbc sink: record cannot be written")
)

// Config is JdbcSinkConnector's configuration, with Confluent's key names
// and defaults.
type Config struct {
	URL        string   `config:"connection.url" required:"true" importance:"high" group:"Connection" doc:"JDBC connection URL: jdbc:postgresql://host:5432/db, jdbc:mysql://host:3306/db or jdbc:mariadb://host:3306/db."`
	User       string   `config:"connection.user" default:"" importance:"high" group:"Connection" doc:"JDBC connection user."`
	Password   string   `config:"connection.password" default:"" type:"PASSWORD" importance:"high" group:"Connection" doc:"JDBC connection password."`
	Attempts   int      `config:"connection.attempts" default:"3" min:"1" importance:"low" group:"Connection" doc:"Maximum number of attempts to retrieve a valid JDBC connection."`
	BackoffMs  int64    `config:"connection.backoff.ms" default:"10000" min:"0" importance:"low" group:"Connection" doc:"Backoff time in milliseconds between connection attempts."`
	Dialect    string   `config:"dialect.name" default:"" importance:"low" group:"Connection" doc:"The database dialect; empty picks it from connection.url (PostgreSqlDatabaseDialect, MySqlDatabaseDialect)."`
	InsertMode string   `config:"insert.mode" default:"insert" enum:"insert,upsert,update" importance:"high" group:"Writes" doc:"The insertion mode to use: insert, upsert (insert or update by primary key) or update."`
	BatchSize  int      `config:"batch.size" default:"3000" min:"0" importance:"medium" group:"Writes" doc:"Specifies how many records to attempt to batch together for insertion into the destination table."`
	DeleteOn   bool     `config:"delete.enabled" default:"false" importance:"medium" group:"Writes" doc:"Whether to treat null record values as deletes. Requires pk.mode to be record_key."`
	TableFmt   string   `config:"table.name.format" default:"${topic}" importance:"medium" group:"Data Mapping" doc:"A format string for the destination table name, which may contain '${topic}' as a placeholder for the originating topic name."`
	PKMode     string   `config:"pk.mode" default:"none" enum:"none,kafka,record_key,record_value" importance:"high" group:"Data Mapping" doc:"The primary key mode: none, kafka (topic, partition, offset), record_key or record_value."`
	PKFields   []string `config:"pk.fields" default:"" importance:"medium" group:"Data Mapping" doc:"List of comma-separated primary key field names; meaning depends on pk.mode."`
	Whitelist  []string `config:"fields.whitelist" default:"" importance:"medium" group:"Data Mapping" doc:"List of comma-separated record value field names; empty uses all fields."`
	DBTimezone string   `config:"db.timezone" default:"UTC" importance:"medium" group:"Data Mapping" doc:"Name of the JDBC timezone used when inserting time-based values (ferry supports UTC)."`
	AutoCreate bool     `config:"auto.create" default:"false" importance:"medium" group:"DDL Support" doc:"Whether to automatically create the destination table based on record schema."`
	AutoEvolve bool     `config:"auto.evolve" default:"false" importance:"medium" group:"DDL Support" doc:"Whether to automatically add columns in the table schema when found to be missing relative to the record schema."`
	Quote      string   `config:"quote.sql.identifiers" default:"ALWAYS" enum:"ALWAYS,NEVER" importance:"medium" group:"DDL Support" doc:"When to quote table names, column names, and other identifiers in SQL statements."`
	MaxRetries int      `config:"max.retries" default:"10" min:"0" importance:"medium" group:"Retries" doc:"The maximum number of times to retry on errors before failing the task (ferry: the runtime's errors.retry.timeout governs retries)."`
	RetryMs    int64    `config:"retry.backoff.ms" default:"3000" min:"0" importance:"medium" group:"Retries" doc:"The time in milliseconds to wait following an error before a retry attempt is made."`
	TableTypes []string `config:"table.types" default:"TABLE" importance:"low" group:"Data Mapping" doc:"The table types the sink may write to (TABLE)."`
}

// Check applies Confluent's cross-key rules.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	if c.DeleteOn && c.PKMode != "record_key" {
		errs = append(errs, &connectors.ConfigError{Key: "delete.enabled", Value: "true", Reason: "Deletes are only supported for pk.mode record_key"})
	}
	if (c.InsertMode == "upsert" || c.InsertMode == "update") && c.PKMode == "none" {
		errs = append(errs, &connectors.ConfigError{Key: "pk.mode", Value: "none", Reason: "insert.mode " + c.InsertMode + " needs a primary key: set pk.mode"})
	}
	if c.PKMode == "kafka" && len(c.PKFields) != 0 && len(c.PKFields) != 3 {
		errs = append(errs, &connectors.ConfigError{Key: "pk.fields", Value: strings.Join(c.PKFields, ","), Reason: "pk.mode kafka takes exactly three names (topic, partition, offset columns)"})
	}
	if !strings.EqualFold(c.DBTimezone, "UTC") {
		errs = append(errs, &connectors.ConfigError{Key: "db.timezone", Value: c.DBTimezone, Reason: "ferry writes time values in UTC only"})
	}
	if c.Dialect != "" && dialect.ByName(c.Dialect) == nil {
		errs = append(errs, &connectors.ConfigError{Key: "dialect.name", Value: c.Dialect, Reason: "ferry supports PostgreSqlDatabaseDialect and MySqlDatabaseDialect"})
	}
	if _, err := dialect.ParseURL(c.URL); err != nil {
		errs = append(errs, &connectors.ConfigError{Key: "connection.url", Value: c.URL, Reason: err.Error()})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parse(props map[string]string) (*Config, error) {
	var cfg Config
	if err := connectors.Declare(cfg).Parse(props, &cfg); err != nil {
		return nil, fmt.Errorf("jdbc sink config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("jdbc sink config: %w", err)
	}
	return &cfg, nil
}

// Plugin returns the JDBC sink plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Type:         connectors.TypeSink,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSink:      func() connectors.SinkTask { return NewTask() },
	}
}

// Connector validates the config and gives every task the same config.
type Connector struct{}

// TaskConfigs returns maxTasks copies of props.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parse(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}
