// Package postgrescdc is a Go rebuild of Debezium's PostgreSQL connector
// (io.debezium.connector.postgresql.PostgresConnector): change data capture
// through a logical replication slot with the pgoutput plugin, records in
// Debezium's change-event envelope (before, after, source, op, ts_ms) on
// topics <topic.prefix>.<schema>.<table>, keyed by the primary key, with a
// tombstone after each delete and Debezium's source offsets.
//
// Each invocation resumes from the LSN in ferry's committed offsets: on
// start it confirms that LSN to the slot (so PostgreSQL releases older WAL
// only once Kafka has the records), streams whole transactions, and confirms
// again once the runtime has committed the new offsets. The initial snapshot
// is read in primary-key chunks, so it resumes where an interrupted
// invocation stopped.
package postgrescdc

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Class is Debezium's connector class name.
const Class = "io.debezium.connector.postgresql.PostgresConnector"

// The snapshot.mode values ferry implements.
const (
	SnapshotInitial     = "initial"
	SnapshotNever       = "never"
	SnapshotInitialOnly = "initial_only"
	SnapshotNoData      = "no_data"
)

// The publication.autocreate.mode values.
const (
	PubAllTables = "all_tables"
	PubFiltered  = "filtered"
	PubDisabled  = "disabled"
	PubNoTables  = "no_tables"
)

// DefaultPollIntervalMs is Debezium's poll.interval.ms default, written into
// task configs that do not set it (the pause between idle invocations).
const DefaultPollIntervalMs = "500"

// Config is the PostgresConnector configuration keys ferry implements.
type Config struct {
	debezium.KafkaSignalConfig // signal.kafka.*: the kafka signal channel

	Hostname string `config:"database.hostname" required:"true" importance:"high" group:"Connection" doc:"Resolvable hostname or IP address of the database server."`
	Port     int    `config:"database.port" default:"5432" importance:"high" group:"Connection" doc:"Port of the database server."`
	User     string `config:"database.user" required:"true" importance:"high" group:"Connection" doc:"Name of the database user (needs REPLICATION and SELECT on the captured tables)."`
	Password string `config:"database.password" type:"PASSWORD" importance:"high" group:"Connection" doc:"Password of the database user."`
	DBName   string `config:"database.dbname" required:"true" importance:"high" group:"Connection" doc:"The name of the database from which to stream the changes."`
	SSLMode  string `config:"database.sslmode" default:"prefer" enum:"disable,allow,prefer,require,verify-ca,verify-full" importance:"medium" group:"Connection" doc:"Whether to use an encrypted connection to the server."`
	SSLConfig
	TopicPrefix      string   `config:"topic.prefix" required:"true" importance:"high" group:"Connector" doc:"Topic prefix that identifies and provides a namespace for the database server; the source partition is {\"server\": topic.prefix}."`
	PluginName       string   `config:"plugin.name" default:"pgoutput" importance:"medium" group:"Replication" doc:"The logical decoding plugin: ferry implements pgoutput."`
	SlotName         string   `config:"slot.name" default:"debezium" importance:"medium" group:"Replication" doc:"The name of the PostgreSQL logical decoding slot."`
	SlotDropOnStop   bool     `config:"slot.drop.on.stop" default:"false" importance:"low" group:"Replication" doc:"Not supported by ferry: invocations are short-lived, the slot must persist."`
	Publication      string   `config:"publication.name" default:"dbz_publication" importance:"low" group:"Replication" doc:"The name of the PostgreSQL publication used by pgoutput."`
	PubAutocreate    string   `config:"publication.autocreate.mode" default:"all_tables" enum:"all_tables,disabled,filtered,no_tables" importance:"low" group:"Replication" doc:"Whether and how to create the publication: all_tables, filtered (the captured tables), disabled (it must exist) or no_tables."`
	TableInclude     []string `config:"table.include.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching schema.table names to capture; empty captures every table."`
	TableExclude     []string `config:"table.exclude.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching schema.table names not to capture."`
	SchemaInclude    []string `config:"schema.include.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching schema names to capture."`
	SchemaExclude    []string `config:"schema.exclude.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching schema names not to capture."`
	SnapshotMode     string   `config:"snapshot.mode" default:"initial" enum:"initial,never,initial_only,no_data" importance:"medium" group:"Snapshot" doc:"initial: snapshot then stream; initial_only: snapshot then stop; no_data (never): stream only."`
	SnapshotFetch    int      `config:"snapshot.fetch.size" default:"10240" min:"1" importance:"medium" group:"Snapshot" doc:"Rows read per snapshot chunk."`
	SignalCollection string   `config:"signal.data.collection" default:"" importance:"medium" group:"Snapshot" doc:"The signalling table, schema.table, with columns id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048): a row of type execute-snapshot starts an incremental snapshot, and incremental snapshots write their watermarks there. It must be in the publication (publication.autocreate.mode=filtered adds it). Set, snapshot.mode=initial reads the initial snapshot in watermarked chunks too."`
	SignalChannels   []string `config:"signal.enabled.channels" default:"source" importance:"low" group:"Snapshot" doc:"Where signals are read from: source (the signalling table) and kafka (signal.kafka.topic)."`
	IncChunkSize     int      `config:"incremental.snapshot.chunk.size" default:"1024" min:"1" importance:"medium" group:"Snapshot" doc:"Rows read per incremental snapshot chunk (one watermark window)."`
	IncWatermarking  string   `config:"incremental.snapshot.watermarking.strategy" default:"insert_insert" enum:"insert_insert,insert_delete" importance:"low" group:"Snapshot" doc:"insert_insert: a chunk's window opens and closes with an inserted signal row each; insert_delete: it closes by deleting the opening row, so the signalling table does not grow."`
	HeartbeatMs      int64    `config:"heartbeat.interval.ms" default:"0" min:"0" importance:"medium" group:"Connector" doc:"Interval of heartbeat records on __debezium-heartbeat.<topic.prefix>; they advance the offset (and the slot) while captured tables are idle. 0 disables them."`
	Tombstones       bool     `config:"tombstones.on.delete" default:"true" importance:"medium" group:"Connector" doc:"Whether a delete is followed by a tombstone record."`
	MaxBatchSize     int      `config:"max.batch.size" default:"2048" min:"1" importance:"medium" group:"Connector" doc:"Changes per poll (whole transactions are never split)."`
	PollIntervalMs   int64    `config:"poll.interval.ms" default:"500" min:"0" importance:"medium" group:"Connector" doc:"How long a poll waits for new changes (ferry: also the pause between idle invocations)."`
	DecimalHandling  string   `config:"decimal.handling.mode" default:"precise" enum:"precise,double,string" importance:"medium" group:"Connector" doc:"How NUMERIC values are represented: precise (Decimal), double or string."`
	IntervalMode     string   `config:"interval.handling.mode" default:"numeric" enum:"numeric" importance:"low" group:"Connector" doc:"How INTERVAL values are represented: numeric (io.debezium.time.MicroDuration, microseconds with a month of 30.4375 days). Debezium's string (ISO 8601) is not implemented."`
	TimePrecision    string   `config:"time.precision.mode" default:"adaptive" enum:"adaptive,adaptive_time_microseconds,connect" importance:"medium" group:"Connector" doc:"How temporal values are represented."`
	debezium.EventConfig
}

// Check applies the rules Parse cannot express.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	bad := func(key, val, reason string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: reason})
	}
	if !strings.EqualFold(c.PluginName, "pgoutput") {
		bad("plugin.name", c.PluginName, "ferry implements the pgoutput plugin only (built into PostgreSQL 10+); set plugin.name=pgoutput")
	}
	if c.SlotDropOnStop {
		bad("slot.drop.on.stop", "true", "ferry's invocations are short-lived: the slot must survive between them; set it to false")
	}
	errs = append(errs, debezium.CheckFilters(
		debezium.Filter{IncludeKey: "table.include.list", ExcludeKey: "table.exclude.list", Include: c.TableInclude, Exclude: c.TableExclude, Exclusive: true},
		debezium.Filter{IncludeKey: "schema.include.list", ExcludeKey: "schema.exclude.list", Include: c.SchemaInclude, Exclude: c.SchemaExclude})...)
	errs = append(errs, c.EventConfig.Check()...)
	for _, ch := range c.SignalChannels {
		if ch = strings.ToLower(strings.TrimSpace(ch)); ch != "source" && ch != "kafka" {
			bad("signal.enabled.channels", strings.Join(c.SignalChannels, ","), "ferry reads signals from the signalling table (source) and a Kafka topic (kafka) only: set signal.enabled.channels=source,kafka or one of them")
			break
		}
	}
	errs = append(errs, c.CheckKafkaSignal(c.SignalChannels)...)
	if c.SignalCollection != "" {
		if _, _, ok := strings.Cut(c.SignalCollection, "."); !ok {
			bad("signal.data.collection", c.SignalCollection, "name the signalling table as schema.table")
		}
	}
	if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(c.SlotName) {
		bad("slot.name", c.SlotName, "slot names may contain only lower-case letters, digits and underscores")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseConfig(props map[string]string) (Config, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return cfg, fmt.Errorf("postgres cdc config: %w", err)
	}
	cfg.SnapshotMode = strings.ToLower(cfg.SnapshotMode)
	cfg.PubAutocreate = strings.ToLower(cfg.PubAutocreate)
	cfg.IncWatermarking = strings.ToLower(cfg.IncWatermarking)
	if err := cfg.Check(); err != nil {
		return cfg, fmt.Errorf("postgres cdc config: %w", err)
	}
	return cfg, nil
}

// captured reports whether schema.table is captured under the include and
// exclude lists (regular expressions matched against the whole name).
func (c *Config) captured(schema, table string) bool {
	full := schema + "." + table
	match := func(list []string, s string) bool {
		for _, p := range list {
			if regexp.MustCompile("^(?:" + p + ")$").MatchString(s) {
				return true
			}
		}
		return false
	}
	if len(c.SchemaInclude) > 0 && !match(c.SchemaInclude, schema) || match(c.SchemaExclude, schema) {
		return false
	}
	if len(c.TableInclude) > 0 {
		return match(c.TableInclude, full)
	}
	return !match(c.TableExclude, full)
}

// Plugin returns the PostgresConnector plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Aliases:      []string{"postgres-cdc", "debezium-postgres"},
		Type:         connectors.TypeSource,
		Config:       Config{},
		Passed:       []string{debezium.SignalConsumerPrefix},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSource:    func() connectors.SourceTask { return NewTask() },
	}
}

// Connector runs one task, as Debezium's PostgreSQL connector does: one slot
// is one ordered stream.
type Connector struct{}

// TaskConfigs returns a single task config; poll.interval.ms defaults to
// Debezium's 500.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	if _, err := parseConfig(props); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(props)+1)
	for k, v := range props {
		m[k] = v
	}
	if _, ok := m["poll.interval.ms"]; !ok {
		m["poll.interval.ms"] = DefaultPollIntervalMs
	}
	return []map[string]string{m}, nil
}
