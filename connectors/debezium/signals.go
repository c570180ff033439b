package debezium

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Snapshot types of an execute-snapshot signal.
const (
	SnapshotIncremental = "incremental"
	SnapshotBlocking    = "blocking"
)

// MaxSignalData bounds the data of one signal (a signalling table's data
// column is VARCHAR(2048); a Kafka signal may carry more).
const MaxSignalData = 64 << 10

// SnapshotRequest is the data of an execute-snapshot (or stop-snapshot)
// signal: {"data-collections": ["schema.table", …], "type": "incremental",
// "additional-conditions": [{"data-collection": "schema.table", "filter": "…"}]}.
type SnapshotRequest struct {
	Collections []string              `json:"data-collections"`
	Type        string                `json:"type"`
	Conditions  []AdditionalCondition `json:"additional-conditions"`
	Surrogate   string                `json:"surrogate-key"`
}

// AdditionalCondition narrows the snapshot of the tables Collection (a
// regular expression, matched case-insensitively against the whole name)
// matches to the rows Filter (an SQL predicate) selects.
type AdditionalCondition struct {
	Collection string `json:"data-collection"`
	Filter     string `json:"filter"`
}

// ParseSnapshotRequest reads the data of an execute-snapshot or
// stop-snapshot signal. The type defaults to incremental, as Debezium's.
func ParseSnapshotRequest(data string) (SnapshotRequest, error) {
	var r SnapshotRequest
	if len(data) > MaxSignalData {
		return r, fmt.Errorf("signal data of %d bytes is over %d; send a shorter signal", len(data), MaxSignalData)
	}
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return r, fmt.Errorf("signal data %q is not JSON: %w; write {\"data-collections\": [\"schema.table\"], \"type\": \"incremental\"}", data, err)
	}
	r.Type = strings.ToLower(r.Type)
	if r.Type == "" {
		r.Type = SnapshotIncremental
	}
	if r.Type != SnapshotIncremental && r.Type != SnapshotBlocking {
		return r, fmt.Errorf("signal data %q: snapshot type %q is not supported; use \"incremental\" or \"blocking\"", data, r.Type)
	}
	for i, c := range r.Collections {
		r.Collections[i] = strings.TrimSpace(c)
	}
	for _, c := range r.Conditions {
		if _, err := regexp.Compile("(?i)^(?:" + c.Collection + ")$"); err != nil || c.Collection == "" {
			return r, fmt.Errorf("signal data %q: additional-conditions data-collection %q is not a regular expression; name the table as schema.table", data, c.Collection)
		}
	}
	return r, nil
}

// Condition is the filter of the first additional condition whose
// data-collection matches table (as Debezium: case-insensitive, the whole
// name), "" when none does.
func (r SnapshotRequest) Condition(table string) string {
	for _, c := range r.Conditions {
		if re, err := regexp.Compile("(?i)^(?:" + c.Collection + ")$"); err == nil && re.MatchString(table) {
			return c.Filter
		}
	}
	return ""
}

// LogMessage is the message of a log signal ({"message": "…"}), "" when the
// data has none.
func LogMessage(data string) string {
	var d struct {
		Message string `json:"message"`
	}
	if len(data) > MaxSignalData || json.Unmarshal([]byte(data), &d) != nil {
		return ""
	}
	return d.Message
}

// FilterClause is an additional condition as it joins a chunk query's
// WHERE: in parentheses, so a filter with a top-level OR cannot widen the
// chunk's key bounds ("" for none).
func FilterClause(filter string) string {
	if strings.TrimSpace(filter) == "" {
		return ""
	}
	return "(" + filter + ")"
}

// Signal is one signal read from a channel: the signalling table (source)
// or the Kafka signal topic.
type Signal struct {
	ID, Type, Data string
	Channel        string // "source" or "kafka"
}

// SignalTarget is what a connector does for each signal action.
type SignalTarget interface {
	// ExecuteSnapshot starts (or extends) an incremental snapshot.
	ExecuteSnapshot(id string, req SnapshotRequest)
	// BlockingSnapshot runs a blocking snapshot of req's tables.
	BlockingSnapshot(id string, req SnapshotRequest)
	// StopSnapshot removes req's tables (all when none) from the snapshot.
	StopSnapshot(id string, req SnapshotRequest)
	// PauseSnapshot holds the incremental snapshot after its open chunk;
	// ResumeSnapshot lets it go on. Each does nothing when no snapshot runs.
	PauseSnapshot()
	ResumeSnapshot()
}

// Dispatch applies a signal as Debezium's SignalProcessor does: an unknown
// type or unreadable data is logged and ignored (connector names the
// connector in the log).
func Dispatch(connector string, s Signal, to SignalTarget) {
	log := slog.With("connector", connector, "signal", s.ID, "type", s.Type, "channel", s.Channel)
	switch s.Type {
	case SignalExecuteSnapshot, SignalStopSnapshot:
		req, err := ParseSnapshotRequest(s.Data)
		if err != nil {
			log.Warn("signal ignored", "error", err)
			return
		}
		switch {
		case s.Type == SignalStopSnapshot:
			to.StopSnapshot(s.ID, req)
		case len(req.Collections) == 0:
			log.Warn("execute-snapshot signal ignored: data-collections is missing or empty")
		case req.Surrogate != "":
			log.Warn("execute-snapshot signal ignored: surrogate-key is not implemented; send it without one to snapshot by primary key")
		case req.Type == SnapshotBlocking:
			log.Info("requested blocking snapshot", "tables", req.Collections, "additional-conditions", req.Conditions)
			to.BlockingSnapshot(s.ID, req)
		default:
			log.Info("requested incremental snapshot", "tables", req.Collections, "additional-conditions", req.Conditions)
			to.ExecuteSnapshot(s.ID, req)
		}
	case SignalPauseSnapshot:
		to.PauseSnapshot()
	case SignalResumeSnapshot:
		to.ResumeSnapshot()
	case SignalLog:
		if m := LogMessage(s.Data); m != "" {
			log.Info(m)
		} else {
			log.Warn("log signal without a message in its data")
		}
	default:
		log.Warn("signal type is not recognized; ignored")
	}
}
