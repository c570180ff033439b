package postgrescdc

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pgx/v5"
)

// Task is one invocation of the connector's single task.
type Task struct {
	cfg       Config
	lazy      debezium.LazyOffsets[streamedOffset] // streamed changes' offsets (lazyOffset)
	partition map[string]any
	conn      *pgx.Conn // catalog and snapshot queries
	tables    []*table
	byOID     map[uint32]*table
	snap      snapshotState
	stream    streamState
	inc       incState       // a running incremental snapshot
	blk       *blockingState // a blocking snapshot holding the stream; nil when none
	streaming bool           // snapshot done (or not wanted): Poll streams
	lastEvent time.Time
	now       func() time.Time // nil: time.Now
	boxed     boxes
	tx        debezium.TxContext // provide.transaction.metadata: the transaction in progress
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{} }

// Open connects, makes sure the publication and the slot exist, lists the
// captured tables and restores the position from the committed offset:
// resume or start the snapshot, or stream from the committed LSN.
func (tk *Task) Open(ctx context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	tk.cfg = cfg
	tk.partition = map[string]any{PartitionServer: cfg.TopicPrefix}
	if tk.conn, err = cfg.connectQuery(ctx); err != nil {
		return err
	}
	if tk.tables, err = listTables(ctx, tk.conn, &cfg); err != nil {
		return err
	}
	tk.byOID = make(map[uint32]*table, len(tk.tables))
	for _, t := range tk.tables {
		tk.byOID[t.oid] = t
	}
	var slotLSN uint64
	if cfg.SnapshotMode != SnapshotInitialOnly { // initial_only never streams: no slot to hold WAL
		if err := ensurePublication(ctx, tk.conn, &cfg, tk.tables); err != nil {
			return err
		}
		if slotLSN, err = ensureSlot(ctx, tk.conn, &cfg); err != nil {
			return err
		}
	}
	if err := tk.loadSignal(ctx); err != nil {
		return err
	}
	var off map[string]any
	if offsets != nil {
		off = offsets.Offset(tk.partition)
	}
	if err := tk.restore(off, slotLSN); err != nil {
		return err
	}
	return tk.openKafkaSignals(ctx, props, off)
}

// restore picks the starting point from the offset (see the package doc).
func (tk *Task) restore(off map[string]any, slotLSN uint64) error {
	snapshotWanted := tk.cfg.SnapshotMode == SnapshotInitial || tk.cfg.SnapshotMode == SnapshotInitialOnly
	if off == nil {
		if tk.watermarkedInitial() {
			// The initial snapshot as an incremental one from the slot's
			// start: chunks between watermarks, resumable at each.
			for _, t := range tk.tables {
				tk.inc.queue = append(tk.inc.queue, t.String())
			}
			tk.stream.start, tk.streaming = slotLSN, true
		} else if snapshotWanted {
			tk.snap = snapshotState{active: true, consistent: slotLSN}
		} else {
			tk.streaming = true
		}
		return nil
	}
	lsn, err := offsetLSN(off, OffsetLSN)
	if err != nil {
		return err
	}
	if ts, ok := off[OffsetTsUsec].(float64); ok {
		tk.lastEvent = time.UnixMicro(int64(ts))
	}
	if snap, _ := off[OffsetSnapshot].(bool); snap {
		if last, _ := off[OffsetLastSnapshot].(bool); !last && snapshotWanted {
			tk.resumeSnapshot(off, lsn)
			return nil
		}
		tk.stream.start = lsn
		tk.streaming = tk.cfg.SnapshotMode != SnapshotInitialOnly
		return nil
	}
	commit, err := offsetLSN(off, OffsetLSNCommit)
	if err != nil {
		return err
	}
	if err := tk.inc.restore(off); err != nil {
		return err
	}
	tk.tx.Load(off)
	if tk.inc.busy() {
		if t := tk.tableNamed(tk.inc.queue[0]); t != nil {
			tk.inc.setTable(t)
		}
	}
	tk.stream.start, tk.stream.skipFinal, tk.stream.skipLSN = commit, commit, lsn
	if tk.stream.lastFinal, err = offsetLSN(off, OffsetLastCommit); err != nil {
		return err
	}
	if tk.stream.resumeEnd, err = offsetLSN(off, OffsetTxEnd); err != nil {
		return err
	}
	tk.streaming = true
	return nil
}

// watermarkedInitial reports whether the initial snapshot runs as an
// incremental one: snapshot.mode=initial with a signalling table for the
// watermarks, and every captured table keyed (chunks need a key).
func (tk *Task) watermarkedInitial() bool {
	if tk.cfg.SnapshotMode != SnapshotInitial || tk.inc.signal == 0 {
		return false
	}
	for _, t := range tk.tables {
		if len(t.keyCols) == 0 {
			return false
		}
	}
	return true
}

// offsetLSN reads an LSN from the offset, however the store decoded it.
func offsetLSN(off map[string]any, key string) (uint64, error) {
	switch v := off[key].(type) {
	case int64:
		return uint64(v), nil
	case float64:
		if v >= 0 && v == math.Trunc(v) {
			return uint64(v), nil
		}
	case json.Number:
		n, err := v.Int64()
		return uint64(n), err
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("postgres cdc offset %s = %v is not an LSN; reset the connector's offsets", key, off[key])
}

// Poll returns the next snapshot chunk, or the next whole transactions.
func (tk *Task) Poll(ctx context.Context) ([]*connectors.Record, error) {
	if tk.snap.active {
		recs, err := tk.snapshotChunk(ctx)
		if err != nil || len(recs) > 0 {
			return recs, err
		}
		tk.stream.start = tk.snap.consistent
		tk.streaming = tk.cfg.SnapshotMode != SnapshotInitialOnly
	}
	if !tk.streaming {
		return nil, nil
	}
	if tk.stream.conn == nil {
		if err := tk.startStream(ctx); err != nil {
			return nil, err
		}
	}
	if tk.blk != nil { // a blocking snapshot holds the stream
		if recs, err := tk.blockingPoll(ctx); err != nil || len(recs) > 0 {
			tk.inc.noteSignalPosition(recs)
			return recs, err
		}
	}
	recs, err := tk.streamPoll(ctx)
	if err == nil && len(recs) == 0 && tk.blk != nil { // a blocking snapshot just stopped the stream
		recs, err = tk.blockingPoll(ctx)
	}
	tk.inc.noteSignalPosition(recs)
	if len(recs) > 0 {
		tk.lastEvent = time.Now()
	}
	return recs, err
}

// Commit runs once the runtime has committed the offsets of every record
// polled: it confirms their LSN to the slot so PostgreSQL releases the WAL.
func (tk *Task) Commit(ctx context.Context) error {
	if err := tk.confirmSync(ctx, tk.stream.safe); err != nil {
		return err
	}
	return tk.commitKafkaSignals(ctx)
}

// Close ends the replication and catalog connections.
func (tk *Task) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	tk.inc.sig.Close()
	if tk.stream.conn != nil {
		tk.stream.conn.Close(ctx)
	}
	if tk.conn != nil {
		return tk.conn.Close(ctx)
	}
	return nil
}
