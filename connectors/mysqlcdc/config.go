// Package mysqlcdc is a Go rebuild of Debezium's MySQL and MariaDB
// connectors (io.debezium.connector.mysql.MySqlConnector and
// io.debezium.connector.mariadb.MariaDbConnector): change data capture from
// the server's binary log in row format, records in Debezium's change-event
// envelope on topics <topic.prefix>.<database>.<table>, keyed by the primary
// key, with Debezium's source offsets (file, pos, gtids, event, row).
//
// Each invocation resumes from the binlog position in ferry's committed
// offsets and stops at its deadline or batch limit. The initial snapshot is
// read in primary-key chunks, each invocation going on where the last one
// stopped; streaming then starts at the binlog position taken when the
// snapshot began. DDL is recorded in the schema history topic with the
// resolved table definitions, so a restarted task reads older binlog events
// with the columns they were written with.
package mysqlcdc

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// The connector classes.
const (
	MySQLClass   = "io.debezium.connector.mysql.MySqlConnector"
	MariaDBClass = "io.debezium.connector.mariadb.MariaDbConnector"
)

// The snapshot.mode values ferry implements.
const (
	SnapshotInitial     = "initial"
	SnapshotInitialOnly = "initial_only"
	SnapshotNoData      = "no_data"
	SnapshotSchemaOnly  = "schema_only" // Debezium 1.x name of no_data
	SnapshotNever       = "never"
	SnapshotWhenNeeded  = "when_needed"
	SnapshotRecovery    = "recovery"             // rebuild a lost schema history, then stream
	SnapshotOldRecovery = "schema_only_recovery" // Debezium 1.x/2.x name of recovery
)

// DefaultPollIntervalMs is Debezium's poll.interval.ms default, written into
// task configs that do not set it (the pause between idle invocations).
const DefaultPollIntervalMs = "500"

// Config is the MySqlConnector / MariaDbConnector configuration keys ferry implements.
type Config struct {
	debezium.KafkaSignalConfig // signal.kafka.*: the kafka signal channel

	Hostname         string   `config:"database.hostname" required:"true" importance:"high" group:"Connection" doc:"Resolvable hostname or IP address of the database server."`
	Port             int      `config:"database.port" default:"3306" min:"1" max:"65535" importance:"high" group:"Connection" doc:"Port of the database server."`
	User             string   `config:"database.user" required:"true" importance:"high" group:"Connection" doc:"Name of the database user (needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT)."`
	Password         string   `config:"database.password" type:"PASSWORD" importance:"high" group:"Connection" doc:"Password of the database user."`
	ServerID         int64    `config:"database.server.id" default:"0" min:"0" max:"4294967295" importance:"low" group:"Connection" doc:"The numeric ID this client uses as a replica of the server; unique among the server's replicas. 0: derived from topic.prefix in 5400-6399 (Debezium: random in that range)."`
	TopicPrefix      string   `config:"topic.prefix" default:"" importance:"high" group:"Connector" doc:"Topic prefix that names the database server; the source partition is {\"server\": topic.prefix}. Required (or its deprecated 1.x name database.server.name)."`
	ServerName       string   `config:"database.server.name" default:"" importance:"low" group:"Connector" doc:"Deprecated (Debezium 1.x): the name of topic.prefix before 2.0, used when topic.prefix is not set."`
	DBInclude        []string `config:"database.include.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching database names to capture; empty captures every non-system database."`
	DBExclude        []string `config:"database.exclude.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching database names not to capture."`
	TableInclude     []string `config:"table.include.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching database.table names to capture; empty captures every table of the captured databases."`
	TableExclude     []string `config:"table.exclude.list" default:"" importance:"high" group:"Filters" doc:"Regular expressions matching database.table names not to capture."`
	ColumnExclude    []string `config:"column.exclude.list" default:"" importance:"medium" group:"Filters" doc:"Regular expressions matching database.table.column names left out of change events."`
	SnapshotMode     string   `config:"snapshot.mode" default:"initial" enum:"initial,initial_only,no_data,schema_only,never,when_needed,recovery,schema_only_recovery" importance:"medium" group:"Snapshot" doc:"initial: snapshot then stream; initial_only: snapshot then stop; no_data (schema_only): stream from the current position; never: stream from the start of the binlog; when_needed: snapshot when there is no offset or its position is purged; recovery (schema_only_recovery): rebuild a lost schema history from the current definitions at the committed offset, then stream (ferry does so in every mode when the history has nothing for this server)."`
	SnapshotLocking  string   `config:"snapshot.locking.mode" default:"minimal" enum:"minimal,extended,none" importance:"medium" group:"Snapshot" doc:"minimal: a global read lock held only while the binlog position is read (MariaDB reads it without a lock); extended: the same; none: no lock (the position may be slightly early: changes may repeat, none is lost)."`
	SnapshotFetch    int      `config:"snapshot.fetch.size" default:"10240" min:"1" importance:"medium" group:"Snapshot" doc:"Rows read per snapshot chunk."`
	SignalTable      string   `config:"signal.data.collection" default:"" importance:"medium" group:"Snapshot" doc:"The signalling table, as database.table, with columns id VARCHAR(42) PRIMARY KEY, type VARCHAR(32), data VARCHAR(2048) (the user needs INSERT on it). Set, it enables incremental snapshots: execute-snapshot and stop-snapshot signals inserted into it, and the watermarks the connector writes around each chunk; with snapshot.mode=initial the initial snapshot is then read in watermarked chunks too."`
	SignalChannels   []string `config:"signal.enabled.channels" default:"source" importance:"low" group:"Snapshot" doc:"Channels signals are read from: source (the signalling table) and kafka (signal.kafka.topic); jmx and file are accepted and read nothing. Without source, the table only carries the watermarks."`
	IncChunkSize     int      `config:"incremental.snapshot.chunk.size" default:"1024" min:"1" importance:"medium" group:"Snapshot" doc:"Rows read per incremental snapshot chunk (one pair of watermarks)."`
	Watermarking     string   `config:"incremental.snapshot.watermarking.strategy" default:"insert_insert" enum:"insert_insert,insert_delete" importance:"low" group:"Snapshot" doc:"insert_insert: a row for the low and one for the high watermark; insert_delete: the low watermark's row is deleted as the high watermark (the signalling table stays small)."`
	SchemaChanges    bool     `config:"include.schema.changes" default:"true" importance:"medium" group:"Connector" doc:"Whether schema changes are published on the <topic.prefix> topic."`
	HistoryTopic     string   `config:"schema.history.internal.kafka.topic" default:"" importance:"high" group:"History" doc:"The Kafka topic holding the DDL history (Debezium 1.x: database.history.kafka.topic). Without it ferry reads the binlog with the current table definitions."`
	HistoryServers   string   `config:"schema.history.internal.kafka.bootstrap.servers" default:"" importance:"high" group:"History" doc:"Kafka brokers of the history topic (Debezium 1.x: database.history.kafka.bootstrap.servers)."`
	OldHistoryTopic  string   `config:"database.history.kafka.topic" default:"" importance:"low" group:"History" doc:"Deprecated (Debezium 1.x) name of schema.history.internal.kafka.topic."`
	OldHistoryServer string   `config:"database.history.kafka.bootstrap.servers" default:"" importance:"low" group:"History" doc:"Deprecated (Debezium 1.x) name of schema.history.internal.kafka.bootstrap.servers."`
	TimePrecision    string   `config:"time.precision.mode" default:"adaptive_time_microseconds" enum:"adaptive,adaptive_time_microseconds,connect" importance:"medium" group:"Connector" doc:"How temporal values are represented."`
	DecimalHandling  string   `config:"decimal.handling.mode" default:"precise" enum:"precise,double,string" importance:"medium" group:"Connector" doc:"How DECIMAL values are represented: precise (Decimal), double or string."`
	BigintUnsigned   string   `config:"bigint.unsigned.handling.mode" default:"long" enum:"long,precise" importance:"medium" group:"Connector" doc:"BIGINT UNSIGNED as long (int64, wraps above 2^63-1) or precise (Decimal)."`
	BinaryHandling   string   `config:"binary.handling.mode" default:"bytes" enum:"bytes,base64,base64-url-safe,hex" importance:"medium" group:"Connector" doc:"How binary columns are represented."`
	Tombstones       bool     `config:"tombstones.on.delete" default:"true" importance:"medium" group:"Connector" doc:"Whether a delete is followed by a tombstone record."`
	HeartbeatMs      int64    `config:"heartbeat.interval.ms" default:"0" min:"0" importance:"medium" group:"Connector" doc:"Interval of heartbeat records on __debezium-heartbeat.<topic.prefix>; they advance the offset while captured tables are idle. 0 disables them."`
	FailureHandling  string   `config:"event.processing.failure.handling.mode" default:"fail" enum:"fail,warn,skip,ignore" importance:"medium" group:"Connector" doc:"What an event that cannot be processed does: fail the task, or warn / skip (ignore) and go on."`
	MaxBatchSize     int      `config:"max.batch.size" default:"2048" min:"1" importance:"medium" group:"Connector" doc:"Changes per poll (whole transactions are not split unless one alone exceeds it)."`
	GTIDConfig
	SSLConfig
	PollIntervalMs int64 `config:"poll.interval.ms" default:"500" min:"0" importance:"medium" group:"Connector" doc:"How long a poll waits for new changes (ferry: also the pause between idle invocations)."`
	IncludeQuery   bool  `config:"include.query" default:"false" importance:"low" group:"Events" doc:"Whether source.query carries the statement that wrote each row: MySQL writes it with binlog_rows_query_log_events=ON, MariaDB with binlog_annotate_row_events=ON (its default)."`
	debezium.EventConfig
}

// Check applies the rules Parse cannot express.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	bad := func(key, val, reason string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: reason})
	}
	if c.TopicPrefix == "" && c.ServerName == "" {
		errs = append(errs, &connectors.ConfigError{Key: "topic.prefix", Missing: true,
			Reason: "set topic.prefix (or the deprecated database.server.name) to the logical name of the server"})
	}
	if p := c.prefix(); p != "" && !regexp.MustCompile(`^[a-zA-Z0-9._-]+$`).MatchString(p) {
		bad("topic.prefix", p, "only letters, digits, '.', '_' and '-' are allowed")
	}
	if strings.EqualFold(c.TimePrecision, "adaptive") { // as Debezium's MySQL and MariaDB connectors since 2.x
		bad("time.precision.mode", c.TimePrecision, "The 'adaptive' time.precision.mode is no longer supported; use adaptive_time_microseconds (the default) or connect")
	}
	errs = append(errs, debezium.CheckFilters(
		debezium.Filter{IncludeKey: "database.include.list", ExcludeKey: "database.exclude.list", Include: c.DBInclude, Exclude: c.DBExclude, Exclusive: true},
		debezium.Filter{IncludeKey: "table.include.list", ExcludeKey: "table.exclude.list", Include: c.TableInclude, Exclude: c.TableExclude, Exclusive: true},
		debezium.Filter{ExcludeKey: "column.exclude.list", Exclude: c.ColumnExclude})...)
	errs = append(errs, c.EventConfig.Check()...)
	if db, tb, ok := strings.Cut(c.SignalTable, "."); c.SignalTable != "" && (!ok || db == "" || tb == "" || strings.Contains(tb, ".")) {
		bad("signal.data.collection", c.SignalTable, "name the signalling table as database.table")
	}
	errs = append(errs, c.checkGTIDConfig()...)
	errs = append(errs, c.CheckKafkaSignal(c.SignalChannels)...)
	if (c.historyTopic() == "") != (c.historyServers() == "") {
		bad("schema.history.internal.kafka.topic", c.historyTopic(),
			"set both schema.history.internal.kafka.topic and schema.history.internal.kafka.bootstrap.servers, or neither")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// prefix is topic.prefix, or the deprecated database.server.name.
func (c *Config) prefix() string {
	if c.TopicPrefix != "" {
		return c.TopicPrefix
	}
	return c.ServerName
}

func (c *Config) historyTopic() string   { return firstOf(c.HistoryTopic, c.OldHistoryTopic) }
func (c *Config) historyServers() string { return firstOf(c.HistoryServers, c.OldHistoryServer) }

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// serverID is database.server.id, or one derived from the prefix.
func (c *Config) serverID() uint32 {
	if c.ServerID != 0 {
		return uint32(c.ServerID)
	}
	h := fnv.New32a()
	h.Write([]byte(c.prefix()))
	return 5400 + h.Sum32()%1000
}

func parseConfig(props map[string]string) (Config, error) {
	var cfg Config
	if err := connectors.Declare(&cfg).Parse(props, &cfg); err != nil {
		return cfg, fmt.Errorf("mysql cdc config: %w", err)
	}
	for _, p := range []*string{&cfg.SnapshotMode, &cfg.SnapshotLocking, &cfg.TimePrecision, &cfg.DecimalHandling,
		&cfg.BigintUnsigned, &cfg.BinaryHandling, &cfg.FailureHandling, &cfg.Watermarking} {
		*p = strings.ToLower(*p)
	}
	switch cfg.SnapshotMode {
	case SnapshotSchemaOnly:
		cfg.SnapshotMode = SnapshotNoData
	case SnapshotOldRecovery:
		cfg.SnapshotMode = SnapshotRecovery
	}
	if cfg.FailureHandling == "ignore" {
		cfg.FailureHandling = "skip"
	}
	if err := cfg.Check(); err != nil {
		return cfg, fmt.Errorf("mysql cdc config: %w", err)
	}
	return cfg, nil
}

// deprecations logs, once per task split, each deprecated key the config uses.
func (c *Config) deprecations() {
	old := map[string]string{"database.server.name": c.ServerName, "database.history.kafka.topic": c.OldHistoryTopic,
		"database.history.kafka.bootstrap.servers": c.OldHistoryServer}
	renamed := map[string]string{"database.server.name": "topic.prefix", "database.history.kafka.topic": "schema.history.internal.kafka.topic",
		"database.history.kafka.bootstrap.servers": "schema.history.internal.kafka.bootstrap.servers"}
	for key, v := range old {
		if v != "" {
			slog.Warn("mysql cdc: deprecated configuration key; rename it", "key", key, "use", renamed[key])
		}
	}
}

// filter decides which databases, tables and columns are captured.
type filter struct {
	dbIn, dbEx, tIn, tEx, colEx []*regexp.Regexp
}

func compileAll(list []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(list))
	for _, p := range list {
		out = append(out, regexp.MustCompile("^(?:"+p+")$"))
	}
	return out
}

func newFilter(c *Config) *filter {
	return &filter{dbIn: compileAll(c.DBInclude), dbEx: compileAll(c.DBExclude), tIn: compileAll(c.TableInclude),
		tEx: compileAll(c.TableExclude), colEx: compileAll(c.ColumnExclude)}
}

func anyMatch(rs []*regexp.Regexp, s string) bool {
	for _, r := range rs {
		if r.MatchString(s) {
			return true
		}
	}
	return false
}

// systemDBs are never captured.
var systemDBs = map[string]bool{"mysql": true, "information_schema": true, "performance_schema": true, "sys": true}

// table reports whether db.table is captured.
func (f *filter) table(db, table string) bool {
	if systemDBs[strings.ToLower(db)] {
		return false
	}
	if len(f.dbIn) > 0 && !anyMatch(f.dbIn, db) || anyMatch(f.dbEx, db) {
		return false
	}
	full := db + "." + table
	if len(f.tIn) > 0 {
		return anyMatch(f.tIn, full)
	}
	return !anyMatch(f.tEx, full)
}

// database reports whether a database's DDL concerns the connector.
func (f *filter) database(db string) bool {
	if systemDBs[strings.ToLower(db)] || db == "" {
		return false
	}
	return (len(f.dbIn) == 0 || anyMatch(f.dbIn, db)) && !anyMatch(f.dbEx, db)
}

// column reports whether db.table.column is captured.
func (f *filter) column(db, table, column string) bool {
	return !anyMatch(f.colEx, db+"."+table+"."+column)
}

// flavor is what differs between the MySQL and MariaDB connectors.
type flavor struct {
	class     string
	connector string // source.connector and the Source schema's package
	mariadb   bool
}

var (
	mysqlFlavor   = flavor{class: MySQLClass, connector: "mysql"}
	mariadbFlavor = flavor{class: MariaDBClass, connector: "mariadb", mariadb: true}
)

// MySQL returns the MySqlConnector plugin.
func MySQL() connectors.Plugin { return plugin(mysqlFlavor, "mysql-cdc", "debezium-mysql") }

// MariaDB returns the MariaDbConnector plugin.
func MariaDB() connectors.Plugin { return plugin(mariadbFlavor, "mariadb-cdc", "debezium-mariadb") }

func plugin(fl flavor, aliases ...string) connectors.Plugin {
	return connectors.Plugin{
		Class:        fl.class,
		Aliases:      aliases,
		Type:         connectors.TypeSource,
		Config:       Config{},
		Passed:       []string{debezium.SignalConsumerPrefix},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSource:    func() connectors.SourceTask { return NewTask(fl) },
	}
}

// Connector runs one task, as Debezium's does: one binlog is one ordered stream.
type Connector struct{}

// TaskConfigs returns a single task config; poll.interval.ms defaults to
// Debezium's 500. Deprecated keys are logged here, once per split.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	cfg, err := parseConfig(props)
	if err != nil {
		return nil, err
	}
	cfg.deprecations()
	m := make(map[string]string, len(props)+1)
	for k, v := range props {
		m[k] = v
	}
	if _, ok := m["poll.interval.ms"]; !ok {
		m["poll.interval.ms"] = DefaultPollIntervalMs
	}
	return []map[string]string{m}, nil
}
