package mysqlcdc

import (
	"log/slog"

	"github.com/ferryhq/ferry/connectors/debezium"
)

// Signals from either channel (the signalling table, the Kafka topic):
// execute-snapshot (with additional-conditions), stop-snapshot,
// pause-snapshot, resume-snapshot and log, as Debezium's actions.

// signalTarget is the task as debezium.Dispatch acts on it.
type signalTarget struct{ tk *Task }

func (s signalTarget) ExecuteSnapshot(id string, req debezium.SnapshotRequest) {
	s.tk.queueSnapshot(id, req)
}

func (s signalTarget) BlockingSnapshot(id string, _ debezium.SnapshotRequest) {
	slog.Warn("mysql cdc: blocking snapshots are not implemented (see docs/connectors.md); send the signal with \"type\": \"incremental\"", "signal", id)
}

func (s signalTarget) StopSnapshot(_ string, req debezium.SnapshotRequest) {
	s.tk.stopSnapshot(req.Collections)
	if !s.tk.inc.running() {
		s.tk.inc.conds, s.tk.inc.paused = nil, false
	}
}

func (s signalTarget) PauseSnapshot() {
	if in := &s.tk.inc; in.running() && !in.paused {
		in.paused = true
		slog.Info("mysql cdc: incremental snapshot paused", "table", in.queue[0])
	}
}

func (s signalTarget) ResumeSnapshot() {
	if in := &s.tk.inc; in.running() && in.paused {
		in.paused = false
		slog.Info("mysql cdc: incremental snapshot resumed", "table", in.queue[0])
	}
}

// setCondition notes a queued table's additional condition.
func (s *incSnapshot) setCondition(table, filter string) {
	if filter == "" {
		return
	}
	if s.conds == nil {
		s.conds = map[string]string{}
	}
	s.conds[table] = filter
}

// condition is the additional condition of the table being read, as SQL
// to join a WHERE ("" for none).
func (s *incSnapshot) condition() string {
	if !s.running() {
		return ""
	}
	return debezium.FilterClause(s.conds[s.queue[0]])
}
