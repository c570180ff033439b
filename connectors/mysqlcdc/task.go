package mysqlcdc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"
)

// Task is one invocation of the connector's single task.
type Task struct {
	lazy      debezium.LazyOffsets[streamedOffset] // streamed changes' offsets (lazyOffset)
	fl        flavor
	cfg       Config
	src       *connectors.Schema
	partition map[string]any
	conn      *client.Conn // catalog and snapshot queries
	tables    []*table
	byName    map[string]*table // "db.table"
	snap      snapshotState
	inc       incSnapshot    // the running incremental snapshot
	blk       *blockingState // a blocking snapshot holding the stream; nil when none
	stream    streamState
	streaming bool // snapshot done (or not wanted): Poll streams
	hist      *history
	pending   []*connectors.Record // schema change events to return first
	now       func() time.Time     // nil: time.Now
	boxed     sourceBoxes
	tx        debezium.TxContext // provide.transaction.metadata: the transaction in progress
	tls       *tls.Config        // the connections' TLS (database.ssl.mode), nil for plaintext
}

// NewTask returns an unopened task of the given flavor.
func NewTask(fl flavor) *Task { return &Task{fl: fl, src: sourceSchema(fl)} }

// Open connects, checks the server's binlog settings and the user's
// privileges, lists the captured tables and restores the position from the
// committed offset.
func (tk *Task) Open(ctx context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	tk.cfg = cfg
	tk.partition = map[string]any{PartitionServer: cfg.prefix()}
	if tk.conn, err = tk.connect(ctx); err != nil {
		return err
	}
	if err := tk.checkServer(); err != nil {
		return err
	}
	if tk.tables, err = listTables(tk.conn, &cfg, tk.fl, tk.src); err != nil {
		return err
	}
	tk.index()
	if cfg.historyTopic() != "" {
		if tk.hist, err = openHistory(ctx, &cfg); err != nil {
			return err
		}
	}
	var off map[string]any
	if offsets != nil {
		off = offsets.Offset(tk.partition)
	}
	if err := tk.restore(ctx, off); err != nil {
		return err
	}
	if err := tk.restoreBlocking(off); err != nil {
		return err
	}
	return tk.openKafkaSignals(ctx, props, off)
}

func (tk *Task) index() {
	tk.byName = make(map[string]*table, len(tk.tables))
	for _, t := range tk.tables {
		tk.byName[t.String()] = t
	}
}

func (cfg *Config) addr() string { return net.JoinHostPort(cfg.Hostname, strconv.Itoa(cfg.Port)) }

// connect opens a query connection in UTC (TIMESTAMP text is read in UTC).
func (tk *Task) connect(ctx context.Context) (*client.Conn, error) {
	cfg := &tk.cfg
	conn, err := tk.dial(ctx)
	if err != nil {
		if errors.Is(err, ErrTLS) {
			return nil, err
		}
		var me *mysql.MyError
		if errors.As(err, &me) && (me.Code == mysql.ER_ACCESS_DENIED_ERROR || me.Code == mysql.ER_DBACCESS_DENIED_ERROR) {
			return nil, fmt.Errorf("%w: connecting to %s as %s: %v; check database.user and database.password", ErrServer, cfg.addr(), cfg.User, err)
		}
		return nil, connectors.Retriable(fmt.Errorf("mysql cdc: connecting to %s: %w; check database.hostname, database.port and that the server is running",
			cfg.addr(), err))
	}
	if _, err := conn.Execute("SET time_zone = '+00:00', NAMES utf8mb4"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mysql cdc: setting the session time zone: %w", err)
	}
	return conn, nil
}

// restore picks the starting point from the offset (see the package doc).
func (tk *Task) restore(ctx context.Context, off map[string]any) error {
	mode := tk.cfg.SnapshotMode
	wantSnapshot := mode == SnapshotInitial || mode == SnapshotInitialOnly || mode == SnapshotWhenNeeded
	if off == nil {
		tk.stream.fresh = true // streaming starts where no reader was before
		switch {
		case mode == SnapshotRecovery:
			return fmt.Errorf("%w: snapshot.mode=recovery rebuilds the schema history at a committed offset, and this connector has none; start it with snapshot.mode=initial", ErrServer)
		case wantSnapshot:
			if ok, err := tk.startIncrementalInitial(); ok || err != nil {
				return err
			}
			return tk.beginSnapshot(ctx)
		case mode == SnapshotNever:
			first, err := tk.firstBinlog()
			if err != nil {
				return err
			}
			tk.stream.start = restartPoint{at: binlogPos{file: first, pos: 4}}
		default: // no_data: from the current position
			at, gtids, err := tk.masterStatus()
			if err != nil {
				return err
			}
			tk.stream.start = restartPoint{at: at, gtids: gtids}
		}
		tk.streaming = true
		return tk.loadHistory(ctx)
	}
	rp, err := parseOffset(off)
	if err != nil {
		return err
	}
	if isTrue(off[OffsetSnapshot]) && !isTrue(off[OffsetSnapshotDone]) && wantSnapshot {
		tk.resumeSnapshot(off, rp)
		return nil
	}
	if err := tk.checkPosition(rp); err != nil {
		if mode == SnapshotWhenNeeded && errors.Is(err, ErrServer) {
			return tk.beginSnapshot(ctx)
		}
		return err
	}
	tk.stream.start = rp
	tk.stream.fresh = isTrue(off[OffsetSnapshot]) // the first dump after a snapshot
	tk.tx.Load(off)
	tk.streaming = mode != SnapshotInitialOnly
	if err := tk.restoreIncremental(off); err != nil {
		return err
	}
	// With any mode, and so with recovery, a history that has nothing for
	// this server is rebuilt from today's definitions at the offset.
	return tk.loadHistory(ctx)
}

// Poll returns the next snapshot chunk, or the next whole transactions.
func (tk *Task) Poll(ctx context.Context) ([]*connectors.Record, error) {
	if len(tk.pending) > 0 {
		recs := tk.pending
		tk.pending = nil
		return recs, nil
	}
	if tk.snap.active {
		recs, err := tk.snapshotChunk(ctx)
		if err != nil || len(recs) > 0 {
			return recs, err
		}
		tk.stream.start = restartPoint{at: tk.snap.at, gtids: tk.snap.gtids}
		tk.stream.fresh = true
		tk.streaming = tk.cfg.SnapshotMode != SnapshotInitialOnly
	}
	if !tk.streaming {
		return nil, nil
	}
	if tk.blk != nil { // a blocking snapshot holds the stream
		if recs, err := tk.blockingPoll(); err != nil || len(recs) > 0 {
			tk.noteSignalPosition(recs)
			return recs, err
		}
	}
	recs, err := tk.streamPoll(ctx)
	if err == nil && len(recs) == 0 && tk.blk != nil { // a blocking snapshot just stopped the stream
		recs, err = tk.blockingPoll()
	}
	tk.noteSignalPosition(recs)
	return recs, err
}

// Close ends the binlog and query connections.
func (tk *Task) Close() error {
	tk.inc.sig.Close()
	tk.stream.close()
	if tk.hist != nil {
		tk.hist.close()
	}
	if tk.conn != nil {
		return tk.conn.Close()
	}
	return nil
}

// clock is the processing time written as the envelope's ts_ms.
func (tk *Task) clock() time.Time {
	if tk.now != nil {
		return tk.now()
	}
	return time.Now()
}
