package mysqlcdc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// streamState is the binlog reader and where it stands.
type streamState struct {
	syncer    *replication.BinlogSyncer
	events    *replication.BinlogStreamer
	start     restartPoint // where this invocation starts reading
	gtidStart string       // set: the dump starts after these GTIDs, not at start's file and position
	ignoreDML bool         // the open transaction's GTID source is filtered out (gtid.source.filter.dml.events)
	dmlFilter *gtidFilter
	file      string       // the binlog file being read
	gtids     gtidTracker  // GTIDs of the transactions completed
	tx        *txState     // the open transaction, nil between transactions
	skip      restartPoint // events and rows to skip in the first transaction read
	skipping  bool
	tables    map[uint64]*table // binlog table id -> captured table (nil: not captured)
	signals   map[uint64]bool   // binlog table ids of the signalling table
	shapes    map[string]*table // definitions rebuilt from table maps (see shaped)
	lastEnd   uint64            // the position after the last event read
	gtid      string            // the GTID of the transaction being read
	prevTs    time.Time         // the time of the last event read with one (see eventTime)
	fresh     bool              // the first dump after a snapshot (see eventTime)
	query     string            // include.query: the statement of the rows events that follow
	beat      time.Time
	beaten    bool // this invocation wrote its heartbeat
}

// txState collects a transaction's records until its commit.
type txState struct {
	begin  restartPoint // offset base: the transaction's first event
	gtid   string
	thread int64
	events int64 // events of the transaction processed, BEGIN included
	recs   []*connectors.Record
}

func (s *streamState) close() {
	if s.syncer != nil {
		s.syncer.Close()
		s.syncer = nil
	}
}

// startStream opens the binlog dump at the start position.
func (tk *Task) startStream() error {
	cfg := &tk.cfg
	flv := mysql.MySQLFlavor
	if tk.fl.mariadb {
		flv = mysql.MariaDBFlavor
	}
	st := &tk.stream
	st.syncer = replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: cfg.serverID(), Flavor: flv, Host: cfg.Hostname, Port: uint16(cfg.Port), User: cfg.User, Password: cfg.Password,
		TimestampStringLocation: time.UTC, ParseTime: true, DisableRetrySync: true, HeartbeatPeriod: 10 * time.Second,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		DumpCommandFlag: tk.dumpFlags(),
		TLSConfig:       tk.tls,
	})
	events, err := tk.startDump()
	if err != nil {
		return err
	}
	st.events, st.file = events, st.start.at.file
	st.gtids = parseGTIDs(st.start.gtids)
	if st.gtidStart != "" {
		st.gtids = parseGTIDs(st.gtidStart)
	}
	st.dmlFilter = cfg.dmlFilter()
	st.skip, st.skipping = st.start, st.start.events > 0 || st.start.rows > 0
	st.tables, st.signals = map[uint64]*table{}, map[uint64]bool{}
	st.lastEnd = st.start.at.pos
	st.beat = time.Unix(st.start.tsSec, 0) // the committed offset's time: a heartbeat is due interval after it
	if !st.fresh {
		st.prevTs = st.beat
	}
	return nil
}

// streamPoll reads whole transactions until max.batch.size records, the
// end of the binlog as it was when the poll began, or poll.interval.ms
// without an event.
func (tk *Task) streamPoll(ctx context.Context) ([]*connectors.Record, error) {
	end, _, err := tk.masterStatus()
	if err != nil {
		return nil, err
	}
	st := &tk.stream
	if st.syncer == nil {
		if err := tk.startStream(); err != nil {
			return nil, err
		}
	}
	var out []*connectors.Record
	idle := time.Duration(tk.cfg.PollIntervalMs) * time.Millisecond
	for len(out) < tk.cfg.MaxBatchSize {
		if err := tk.readKafkaSignals(ctx); err != nil {
			return nil, err
		}
		if tk.blk != nil && st.tx == nil {
			break // a blocking snapshot: streaming stops here until it ends
		}
		if tk.inc.running() && !tk.inc.win.Pending() && !tk.inc.closing && st.tx == nil {
			if err := tk.nextChunk(); err != nil {
				return nil, err
			}
			if tk.inc.win.Pending() { // wait for the chunk's watermarks
				if end, _, err = tk.masterStatus(); err != nil {
					return nil, err
				}
			}
		}
		caughtUp := !st.at().before(end)
		if st.tx == nil && len(out) > 0 && caughtUp {
			break // caught up with the binlog as it was
		}
		// Events the server has written are waited for however slow their
		// delivery (a loaded server); past them, poll.interval.ms of
		// silence ends the poll.
		wait := pendingWait
		if caughtUp && st.tx == nil {
			wait = idle
		}
		ectx, cancel := context.WithTimeout(ctx, wait)
		ev, err := st.events.GetEvent(ectx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				break // idle
			}
			if ctx.Err() != nil {
				break
			}
			return nil, tk.describeStreamError(err)
		}
		recs, err := tk.handle(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		if tx := st.tx; tx != nil && len(tx.recs) >= tk.cfg.MaxBatchSize {
			// A transaction larger than a batch goes out in parts: each
			// record's offset (event, row) lets a restart resume inside it.
			out = append(out, tx.recs...)
			tx.recs = nil
		}
	}
	if len(out) == 0 {
		return tk.heartbeat(), nil
	}
	st.beat = time.Now()
	return out, nil
}

// pendingWait bounds the wait for an event the server has already written.
const pendingWait = 30 * time.Second

// at is the position after the last event read.
func (s *streamState) at() binlogPos { return binlogPos{file: s.file, pos: s.lastEnd} }

// describeStreamError turns a binlog dump failure into what to do.
func (tk *Task) describeStreamError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "1236") || strings.Contains(msg, "Could not find first log file"):
		at := "binlog position " + tk.stream.start.at.String()
		if tk.stream.gtidStart != "" {
			at = "GTID position " + tk.stream.gtidStart
		}
		return fmt.Errorf("%w: %v; the %s is no longer on the server (purged): set snapshot.mode=when_needed, or delete the connector's offsets and restart with snapshot.mode=initial",
			ErrServer, err, at)
	case strings.Contains(msg, "1227") || strings.Contains(msg, "Access denied"):
		return fmt.Errorf("%w: %v; run GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '%s'@'%%'", ErrServer, err, tk.cfg.User)
	}
	// A broken connection or a server restart: the next try resumes from
	// the committed offset.
	return connectors.Retriable(fmt.Errorf("mysql cdc: reading the binlog at %s: %w", tk.stream.at(), err))
}
