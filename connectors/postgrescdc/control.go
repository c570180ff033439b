package postgrescdc

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Signals from either channel (the signalling table, the Kafka topic):
// execute-snapshot (with additional-conditions), stop-snapshot,
// pause-snapshot, resume-snapshot and log, as Debezium's actions.

// channelOn reports whether signal.enabled.channels names channel.
func (c *Config) channelOn(channel string) bool {
	return slices.ContainsFunc(c.SignalChannels, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), channel) })
}

// applySignal acts on a signal row of the signalling table (other than a
// watermark) when the source channel is on.
func (tk *Task) applySignal(id, typ, data string) {
	if !tk.cfg.channelOn("source") {
		return
	}
	debezium.Dispatch(tk.cfg.TopicPrefix, debezium.Signal{ID: id, Type: typ, Data: data, Channel: "source"}, signalTarget{tk})
	if in := &tk.inc; typ != debezium.SignalLog {
		if in.hold == 0 {
			in.hold = max(tk.stream.pending, tk.stream.start, 1)
		}
		in.holdStamped = in.stamped
	}
}

// safeUpTo is how far the slot may be confirmed after a poll that decoded
// up to pending: not past a signal whose state no record has carried yet
// (a pause-snapshot while nothing else changes), or the next invocation,
// which resumes from the committed offset, would never see it.
func (in *incState) safeUpTo(pending uint64) uint64 {
	if in.hold != 0 && in.stamped > in.holdStamped {
		in.hold = 0
	}
	if in.hold == 0 {
		return pending
	}
	return min(pending, in.hold)
}

// signalTarget is the task as Dispatch acts on it.
type signalTarget struct{ tk *Task }

func (s signalTarget) ExecuteSnapshot(id string, req debezium.SnapshotRequest) {
	if s.tk.inc.signal == 0 {
		slog.Warn("postgres cdc: execute-snapshot ignored: incremental snapshots write their watermarks to signal.data.collection; set it", "signal", id)
		return
	}
	if s.tk.addCollections(req) {
		s.tk.inc.corr = id
	}
}

func (s signalTarget) BlockingSnapshot(id string, req debezium.SnapshotRequest) {
	s.tk.requestBlocking(id, req)
}

func (s signalTarget) StopSnapshot(_ string, req debezium.SnapshotRequest) {
	s.tk.stopCollections(req.Collections)
}

func (s signalTarget) PauseSnapshot() {
	if in := &s.tk.inc; in.busy() && !in.paused {
		in.paused = true
		slog.Info("postgres cdc: incremental snapshot paused", "table", in.queue[0])
	}
}

func (s signalTarget) ResumeSnapshot() {
	if in := &s.tk.inc; in.busy() && in.paused {
		in.paused = false
		slog.Info("postgres cdc: incremental snapshot resumed", "table", in.queue[0])
	}
}

// setCondition notes a queued table's additional condition.
func (in *incState) setCondition(table, filter string) {
	if filter == "" {
		return
	}
	if in.conds == nil {
		in.conds = map[string]string{}
	}
	in.conds[table] = filter
}

// openKafkaSignals connects to the signal topic when signal.enabled.channels
// has kafka and the connector streams.
func (tk *Task) openKafkaSignals(ctx context.Context, props map[string]string, off map[string]any) error {
	tk.inc.startOff = off
	if err := tk.restoreBlocking(off); err != nil {
		return err
	}
	if !tk.cfg.channelOn("kafka") || tk.cfg.SnapshotMode == SnapshotInitialOnly {
		return nil
	}
	k, err := debezium.OpenKafkaSignals(ctx, &tk.cfg.KafkaSignalConfig, props, tk.cfg.TopicPrefix, off)
	if err != nil {
		return fmt.Errorf("postgres cdc: %w", err)
	}
	tk.inc.sig = k
	return nil
}

// readKafkaSignals applies the signals of the topic when a check is due,
// between transactions (so a transaction's records share one position).
func (tk *Task) readKafkaSignals(ctx context.Context) error {
	if tk.stream.cur != nil || !tk.inc.sig.Due() {
		return nil
	}
	sigs, err := tk.inc.sig.Read(ctx)
	if err != nil && ctx.Err() == nil {
		// The topic is out of reach: streaming goes on, the next check
		// reads from the same position.
		slog.Warn("postgres cdc: the signal topic could not be read; retried at the next check", "error", err)
		err = nil
	}
	for _, s := range sigs {
		debezium.Dispatch(tk.cfg.TopicPrefix, s, signalTarget{tk})
	}
	return err
}

// commitKafkaSignals commits the signal position of the offsets just
// committed to the channel's consumer group, as Debezium's consumer does.
func (tk *Task) commitKafkaSignals(ctx context.Context) error {
	tk.inc.sig.Commit(ctx)
	return nil
}

// noteSignalPosition notes the signal position of the last record a poll
// returns: once committed, it goes to the consumer group.
func (in *incState) noteSignalPosition(recs []*connectors.Record) {
	if len(recs) > 0 {
		in.sig.Returned(recs[len(recs)-1].SourceOffset)
	}
}

// filterFailed reports whether a chunk query that failed carries an
// additional condition: the filter is the signal sender's SQL, so its
// failure stops that table's snapshot (logged) rather than the task, which
// would meet the same signal again on every restart.
func (tk *Task) filterFailed(err error) bool {
	in := &tk.inc
	if !in.busy() || in.conds[in.queue[0]] == "" {
		return false
	}
	slog.Error("postgres cdc: the additional condition of an execute-snapshot signal fails; the table's incremental snapshot is stopped",
		"table", in.queue[0], "filter", in.conds[in.queue[0]], "error", err)
	return true
}
