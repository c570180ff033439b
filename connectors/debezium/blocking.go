package debezium

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// OffsetBlocking (ferry's) holds a blocking snapshot in progress in a
// source offset whose stream position is where streaming stopped.
const OffsetBlocking = "ferry_blocking_snapshot"

// Blocking is a blocking snapshot (execute-snapshot of type blocking) in
// progress: streaming stops after the signal, the tables are read in key
// chunks across invocations, then streaming resumes where it stopped.
type Blocking struct {
	Tables  []string          `json:"tables"`               // left; Tables[0] is being read
	Conds   map[string]string `json:"conditions,omitempty"` // additional conditions by table
	After   []string          `json:"after,omitempty"`      // the last key read of Tables[0], as the connector writes it
	Emitted bool              `json:"emitted,omitempty"`    // a read was emitted (later tables start first_in_data_collection)
}

// NewBlocking is the blocking snapshot req asks of the captured tables
// (names are matched as execute-snapshot matches them); keyed says
// whether a table has a primary key (those without are skipped, logged).
// Nil when no table is left.
func NewBlocking(connector, id string, req SnapshotRequest, tables []string, keyed func(string) bool) *Blocking {
	b := &Blocking{}
	for _, full := range tables {
		if !matchesAny(req.Collections, full) {
			continue
		}
		if !keyed(full) {
			slog.Warn("a blocking snapshot skips a table without a primary key", "connector", connector, "signal", id, "table", full)
			continue
		}
		b.Tables = append(b.Tables, full)
		if c := req.Condition(full); c != "" {
			if b.Conds == nil {
				b.Conds = map[string]string{}
			}
			b.Conds[full] = c
		}
	}
	if len(b.Tables) == 0 {
		slog.Warn("a blocking snapshot names no captured table with a primary key; check table.include.list",
			"connector", connector, "signal", id, "tables", req.Collections)
		return nil
	}
	return b
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if re, err := regexp.Compile("^(?:" + p + ")$"); strings.EqualFold(p, name) || err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// Next moves to the next table.
func (b *Blocking) Next() { b.Tables, b.After = b.Tables[1:], nil }

// Condition is the additional condition of the table being read.
func (b *Blocking) Condition() string { return b.Conds[b.Tables[0]] }

// Encode is the offset value.
func (b *Blocking) Encode() string {
	enc, _ := json.Marshal(b)
	return string(enc)
}

// DecodeBlocking reads a blocking snapshot in progress from an offset (nil
// when there is none).
func DecodeBlocking(off map[string]any) (*Blocking, error) {
	raw, _ := off[OffsetBlocking].(string)
	if raw == "" {
		return nil, nil
	}
	var b Blocking
	if err := json.Unmarshal([]byte(raw), &b); err != nil || len(b.Tables) == 0 {
		return nil, fmt.Errorf("offset %s = %q: not a blocking snapshot (%v); reset the connector's offsets", OffsetBlocking, raw, err)
	}
	return &b, nil
}
