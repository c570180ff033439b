package mysqlcdc

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Signals from either channel (the signalling table, the Kafka topic):
// execute-snapshot (with additional-conditions), stop-snapshot,
// pause-snapshot, resume-snapshot and log, as Debezium's actions.

// signalTarget is the task as debezium.Dispatch acts on it.
type signalTarget struct{ tk *Task }

func (s signalTarget) ExecuteSnapshot(id string, req debezium.SnapshotRequest) {
	if s.tk.cfg.SignalTable == "" {
		slog.Warn("mysql cdc: execute-snapshot ignored: incremental snapshots write their watermarks to signal.data.collection; set it", "signal", id)
		return
	}
	s.tk.queueSnapshot(id, req)
}

func (s signalTarget) BlockingSnapshot(id string, req debezium.SnapshotRequest) {
	s.tk.requestBlocking(id, req)
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

// openKafkaSignals connects to the signal topic when signal.enabled.channels
// has kafka and the connector streams.
func (tk *Task) openKafkaSignals(ctx context.Context, props map[string]string, off map[string]any) error {
	if !debezium.ChannelOn(tk.cfg.SignalChannels, "kafka") || tk.cfg.SnapshotMode == SnapshotInitialOnly {
		return nil
	}
	k, err := debezium.OpenKafkaSignals(ctx, &tk.cfg.KafkaSignalConfig, props, tk.cfg.prefix(), off)
	if err != nil {
		return fmt.Errorf("mysql cdc: %w", err)
	}
	tk.inc.sig = k
	return nil
}

// readKafkaSignals applies the signals of the topic when a check is due,
// between transactions (so a transaction's records share one position).
func (tk *Task) readKafkaSignals(ctx context.Context) error {
	if tk.stream.tx != nil || !tk.inc.sig.Due() {
		return nil
	}
	sigs, err := tk.inc.sig.Read(ctx)
	if err != nil && ctx.Err() == nil {
		// The topic is out of reach: streaming goes on, the next check
		// reads from the same position.
		slog.Warn("mysql cdc: the signal topic could not be read; retried at the next check", "error", err)
		err = nil
	}
	for _, s := range sigs {
		debezium.Dispatch(tk.cfg.prefix(), s, signalTarget{tk})
	}
	return err
}

// noteSignalPosition notes the signal position of the last record a poll
// returns: once committed, it goes to the consumer group.
func (tk *Task) noteSignalPosition(recs []*connectors.Record) {
	if len(recs) > 0 {
		tk.inc.sig.Returned(recs[len(recs)-1].SourceOffset)
	}
}

// Commit runs once the runtime has committed the offsets of every record
// polled: the signal position they carry goes to the kafka channel's
// consumer group, as Debezium's consumer commits it.
func (tk *Task) Commit(ctx context.Context) error {
	tk.inc.sig.Commit(ctx)
	return nil
}

// filterFailed reports whether a chunk query that failed carries an
// additional condition: the filter is the signal sender's SQL, so its
// failure stops that table's snapshot (logged) rather than the task, which
// would meet the same signal again on every restart.
func (tk *Task) filterFailed(err error) bool {
	s := &tk.inc
	if !s.running() || s.conds[s.queue[0]] == "" {
		return false
	}
	slog.Error("mysql cdc: the additional condition of an execute-snapshot signal fails; the table's incremental snapshot is stopped",
		"table", s.queue[0], "filter", s.conds[s.queue[0]], "error", err)
	return true
}
