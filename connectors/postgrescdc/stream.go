package postgrescdc

import (
	"context"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// txn is the transaction being decoded.
type txn struct {
	xid        uint32
	final      uint64 // commit LSN
	commitTime time.Time
	recs       []*connectors.Record
}

// streamState is the replication stream of one invocation.
type streamState struct {
	conn      *pgconn.PgConn
	start     uint64 // LSN streaming starts from (and first confirms)
	skipFinal uint64 // events of the transaction committing here ...
	skipLSN   uint64 // ... at or before this LSN are already in Kafka
	confirmed uint64 // the last flush LSN sent to the slot
	pending   uint64 // end LSN of the last transaction decoded
	safe      uint64 // end LSN up to which every change was returned by Poll
	lastFinal uint64 // end LSN of the last transaction decoded: source.sequence's first element
	resumeEnd uint64 // end LSN of the committed offset's transaction, until the first BEGIN
	cur       *txn
	ready     []*connectors.Record
	rel       map[uint32][]string // relation id -> column names in tuple order
	walEnd    uint64              // last keepalive position
	target    uint64              // the server's flushed WAL when streaming started
	seen      uint64              // how far the server has decoded, as its messages show
	rows      rowDecoder          // Insert, Update and Delete messages
	layouts   map[uint32]*tupleLayout
	starts    []int // tupleRow's scratch: where each column's text starts
	// heartbeatSent: this invocation wrote its heartbeat.
	heartbeatSent bool
}

// startStream opens the replication connection, starts streaming at the
// committed position and confirms it to the slot: WAL before it is released.
func (tk *Task) startStream(ctx context.Context) error {
	cfg, err := pgconn.ParseConfig(tk.cfg.connString(true))
	if err == nil {
		err = tk.cfg.withClientCert(cfg)
	}
	if err != nil {
		if tlsErr := tk.cfg.describeTLS(err); tlsErr != nil {
			return tlsErr
		}
		return fmt.Errorf("postgres cdc: %w", err)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return tk.cfg.describeConnect(err)
	}
	s := &tk.stream
	s.conn, s.rel = conn, map[uint32][]string{}
	var target string
	if err := tk.conn.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&target); err != nil {
		return fmt.Errorf("postgres cdc: reading the WAL position: %w", err)
	}
	if s.target, err = parseLSN(target); err != nil {
		return err
	}
	args := []string{"proto_version '1'", "publication_names '" + tk.cfg.Publication + "'"}
	if err := pglogrepl.StartReplication(ctx, conn, tk.cfg.SlotName, pglogrepl.LSN(s.start),
		pglogrepl.StartReplicationOptions{PluginArgs: args}); err != nil {
		return tk.cfg.describeStream(err)
	}
	return tk.confirm(ctx, s.start)
}

// confirmSync confirms lsn and waits (up to a second) for the server's
// answer, which it sends only after recording the position in the slot.
func (tk *Task) confirmSync(ctx context.Context, lsn uint64) error {
	s := &tk.stream
	if s.conn == nil || lsn == 0 {
		return nil
	}
	s.confirmed = max(s.confirmed, lsn)
	if err := tk.ping(ctx); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for {
		msg, err := s.conn.ReceiveMessage(wait)
		if err != nil {
			return nil // the position is sent; the answer is a courtesy
		}
		if cd, ok := msg.(*pgproto3.CopyData); ok && len(cd.Data) > 0 && cd.Data[0] == pglogrepl.PrimaryKeepaliveMessageByteID {
			return nil
		}
	}
}

// ping sends the confirmed position asking for an immediate reply: the
// server answers with a keepalive carrying how far it has decoded.
func (tk *Task) ping(ctx context.Context) error {
	s := &tk.stream
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.conn, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: pglogrepl.LSN(max(s.confirmed, 1)), ReplyRequested: true})
	if err != nil {
		return fmt.Errorf("status update to slot %q: %w", tk.cfg.SlotName, err)
	}
	return nil
}

// confirm tells the slot that everything before lsn is durable.
func (tk *Task) confirm(ctx context.Context, lsn uint64) error {
	s := &tk.stream
	if s.conn == nil || lsn == 0 {
		return nil
	}
	s.confirmed = max(s.confirmed, lsn)
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.conn, pglogrepl.StandbyStatusUpdate{WALWritePosition: pglogrepl.LSN(s.confirmed)})
	if err != nil {
		return fmt.Errorf("confirming LSN %s to slot %q: %w", pglogrepl.LSN(s.confirmed), tk.cfg.SlotName, err)
	}
	return nil
}

// readyWait is how long a poll holding ready changes waits for the next
// message before returning them.
const readyWait = 5 * time.Millisecond

// streamPoll decodes whole transactions until max.batch.size changes are
// ready, or some are ready and no message follows within readyWait, or none
// arrived within poll.interval.ms once the server has decoded past the WAL
// written before streaming started (so "nothing" means nothing committed).
func (tk *Task) streamPoll(ctx context.Context) ([]*connectors.Record, error) {
	s := &tk.stream
	idle := time.Duration(max(tk.cfg.PollIntervalMs, 50)) * time.Millisecond
	dl := newPollDeadline(ctx, s.conn)
	defer dl.release()
	for len(s.ready) < tk.cfg.MaxBatchSize {
		if err := tk.nextChunk(ctx); err != nil {
			return nil, err
		}
		if tk.blk != nil && s.cur == nil {
			break // a blocking snapshot: streaming stops here until it ends
		}
		// Between transactions, wait poll.interval.ms for the first change,
		// and once some are ready only as long as more arrive back to back.
		between := s.cur == nil
		if between {
			timeout := idle
			if len(s.ready) > 0 {
				timeout = readyWait
			}
			dl.wait(timeout)
		}
		msg, err := s.conn.ReceiveMessage(dl.quiet)
		if between {
			dl.set(dl.end)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if dl.expired() {
				return nil, context.DeadlineExceeded
			}
			if pgconn.Timeout(err) {
				if len(s.ready) == 0 && (s.seen < s.target || tk.inc.working()) {
					// Still decoding WAL written before this invocation
					// started, or a snapshot chunk waits for its high
					// watermark: ask where the server is and keep waiting.
					if err := tk.ping(ctx); err != nil {
						return nil, err
					}
					continue
				}
				break
			}
			return nil, tk.cfg.describeStream(err)
		}
		if err := tk.handle(ctx, msg); err != nil {
			return nil, err
		}
	}
	out := s.ready
	s.ready = nil
	s.safe = max(s.safe, tk.inc.safeUpTo(s.pending))
	if len(out) == 0 {
		out = tk.heartbeat()
	}
	return out, nil
}

func (tk *Task) handle(ctx context.Context, msg pgproto3.BackendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.ErrorResponse:
		return tk.cfg.describeStream(pgconn.ErrorResponseToPgError(m))
	case *pgproto3.CopyData:
		switch m.Data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(m.Data[1:])
			if err != nil {
				return err
			}
			if tk.stream.cur == nil {
				tk.stream.walEnd = uint64(ka.ServerWALEnd)
			}
			tk.stream.seen = max(tk.stream.seen, uint64(ka.ServerWALEnd))
			if ka.ReplyRequested {
				return tk.confirm(ctx, tk.stream.confirmed)
			}
		case pglogrepl.XLogDataByteID:
			x, err := pglogrepl.ParseXLogData(m.Data[1:])
			if err != nil {
				return err
			}
			tk.stream.seen = max(tk.stream.seen, uint64(x.WALStart))
			return tk.decode(ctx, x)
		}
	}
	return nil
}
