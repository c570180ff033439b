package mysqlcdc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// tableDef is one tableChanges entry of Debezium's schema history record.
type tableDef struct {
	Type  string    `json:"type"`
	ID    string    `json:"id"`
	Table *tableDoc `json:"table"`
}

type tableDoc struct {
	DefaultCharset string      `json:"defaultCharsetName,omitempty"`
	PrimaryKey     []string    `json:"primaryKeyColumnNames"`
	Columns        []columnDoc `json:"columns"`
}

type columnDoc struct {
	Name            string   `json:"name"`
	JdbcType        int32    `json:"jdbcType"`
	TypeName        string   `json:"typeName"`
	TypeExpression  string   `json:"typeExpression"`
	Charset         *string  `json:"charsetName"`
	Length          *int32   `json:"length,omitempty"`
	Scale           *int32   `json:"scale,omitempty"`
	Position        int32    `json:"position"`
	Optional        bool     `json:"optional"`
	AutoIncremented bool     `json:"autoIncremented"`
	Generated       bool     `json:"generated"`
	Default         *string  `json:"defaultValueExpression,omitempty"`
	EnumValues      []string `json:"enumValues,omitempty"`
	FSP             *int32   `json:"ferryFsp,omitempty"` // ferry: DATETIME/TIME/TIMESTAMP precision
}

// historyRecord is a record of the schema history topic (Debezium's format).
type historyRecord struct {
	Source       map[string]any `json:"source"`
	Position     map[string]any `json:"position"`
	TsMs         int64          `json:"ts_ms"`
	DatabaseName string         `json:"databaseName"`
	DDL          string         `json:"ddl"`
	TableChanges []tableDef     `json:"tableChanges"`
}

// def is the table's tableChanges entry.
func (t *table) def(typ string) tableDef {
	d := tableDef{Type: typ, ID: t.id()}
	if t.dropped {
		return d
	}
	doc := &tableDoc{DefaultCharset: t.charset, PrimaryKey: []string{}}
	for i, c := range t.cols {
		cd := columnDoc{Name: c.name, JdbcType: jdbcTypes[c.dataType], TypeName: c.typeName(), TypeExpression: c.typeName(),
			Position: int32(i + 1), Optional: c.nullable, AutoIncremented: c.autoInc, Generated: c.autoInc, Default: c.defaultRaw,
			EnumValues: quoteValues(c.values)}
		if c.charset != "" {
			cs := c.charset
			cd.Charset = &cs
		}
		// As Debezium's DDL parser: the length is the number declared in
		// the column type (int(11), char(5), time(6)), none when none is.
		if l, ok := historyLength(c); ok {
			cd.Length = &l
		}
		if c.dataType == "decimal" || c.dataType == "numeric" {
			s := c.scale
			cd.Scale = &s
		}
		switch c.dataType {
		case "datetime", "time", "timestamp":
			f := int32(c.fsp)
			cd.FSP = &f
		}
		doc.Columns = append(doc.Columns, cd)
	}
	for _, c := range t.keyCols {
		doc.PrimaryKey = append(doc.PrimaryKey, c.name)
	}
	d.Table = doc
	return d
}

// history is the schema history topic.
type history struct {
	cl      *kgo.Client
	servers string
	topic   string
}

func openHistory(ctx context.Context, cfg *Config) (*history, error) {
	// A topic just created can take a while to be served: wait for it (up to
	// the write's 30 s) rather than kgo's default four metadata retries.
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(cfg.historyServers(), ",")...), kgo.AllowAutoTopicCreation(),
		kgo.UnknownTopicRetries(-1))
	if err != nil {
		return nil, fmt.Errorf("mysql cdc: schema history client for %s: %w", cfg.historyServers(), err)
	}
	// One partition, as Debezium requires: the history is read in order.
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, 1, -1, nil, cfg.historyTopic())
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		cl.Close()
		return nil, fmt.Errorf("mysql cdc: creating the schema history topic %s: %w", cfg.historyTopic(), err)
	}
	return &history{cl: cl, servers: cfg.historyServers(), topic: cfg.historyTopic()}, nil
}

func (h *history) close() { h.cl.Close() }

// record appends a DDL statement with the definitions it left.
func (h *history) record(server string, rp restartPoint, db, ddl string, defs []tableDef) error {
	rec := historyRecord{Source: map[string]any{"server": server}, Position: rp.offset(), TsMs: time.Now().UnixMilli(),
		DatabaseName: db, DDL: ddl, TableChanges: defs}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.cl.ProduceSync(ctx, &kgo.Record{Topic: h.topic, Value: b}).FirstErr(); err != nil {
		return connectors.Retriable(fmt.Errorf("mysql cdc: writing the schema history to %s: %w; check schema.history.internal.kafka.bootstrap.servers", h.topic, err))
	}
	return nil
}

// readAll reads every record of the history topic.
func (h *history) readAll(ctx context.Context) ([]historyRecord, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ends, err := listEnds(ctx, h.cl, h.topic)
	if err != nil || ends <= 0 {
		return nil, err
	}
	key := historyKey{h.servers, h.topic}
	if c, ok := historyCache.Load(key); ok && c.(cachedHistory).ends == ends {
		return c.(cachedHistory).recs, nil // the topic only grows: same length, same records
	}
	cl, err := kgo.NewClient(append(h.cl.Opts(), kgo.ConsumeTopics(h.topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var out []historyRecord
	for int64(len(out)) < ends {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("mysql cdc: reading the schema history %s: %w", h.topic, err)
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = err })
		if ferr != nil {
			return nil, fmt.Errorf("mysql cdc: reading the schema history %s: %w", h.topic, ferr)
		}
		fs.EachRecord(func(r *kgo.Record) {
			var hr historyRecord
			if json.Unmarshal(r.Value, &hr) == nil {
				out = append(out, hr)
			} else {
				out = append(out, historyRecord{})
			}
		})
	}
	historyCache.Store(key, cachedHistory{ends: ends, recs: out})
	return out, nil
}

// historyCache keeps each history topic read by this process, so the next
// invocation of a warm worker reads only its length.
var historyCache sync.Map // historyKey -> cachedHistory

type historyKey struct{ servers, topic string }

type cachedHistory struct {
	ends int64
	recs []historyRecord
}

// historyLength is a column's length as Debezium's DDL parser records it:
// the number declared in the type (int(11), char(5), time(6)); for ENUM the
// longest member, for SET all members joined by commas; none otherwise.
func historyLength(c *column) (int32, bool) {
	switch c.dataType {
	case "enum", "set":
		n, sep := 0, 0
		for _, v := range c.values {
			if c.dataType == "enum" {
				n = max(n, len(v))
			} else {
				n, sep = n+len(v), 1
			}
		}
		if c.dataType == "set" && len(c.values) > 0 {
			n += (len(c.values) - 1) * sep
		}
		return int32(n), true
	}
	m := declaredLength().FindStringSubmatch(c.columnType)
	if m == nil {
		return 0, false
	}
	l, _ := strconv.ParseInt(m[1], 10, 32)
	return int32(l), true
}

// declaredLength finds the length declared in a column type.
var declaredLength = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z ]+\((\d+)`) })

// quoteValues writes ENUM and SET members as Debezium's history does: as
// SQL string literals ('a').
func quoteValues(vs []string) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return out
}

// unquoteValues reads members written by quoteValues (or, from an older
// history, unquoted).
func unquoteValues(vs []string) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		}
		out[i] = v
	}
	return out
}
