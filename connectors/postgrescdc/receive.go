package postgrescdc

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// pollDeadline makes a poll's context the replication connection's read
// deadline. pgconn watches the context of every ReceiveMessage that can end
// (an AfterFunc, a channel and a goroutine hand-off per message: four
// allocations a change); a context that cannot end it leaves alone. So the
// stream receives with quiet, and the poll's deadline, its cancellation
// and the wait between transactions reach the read as deadlines set here.
type pollDeadline struct {
	ctx   context.Context
	quiet context.Context // ctx without Done: pgconn sets up no watch
	conn  *pgconn.PgConn
	end   time.Time // ctx's deadline, zero when none
	stop  func() bool
	mu    sync.Mutex
	over  bool // release ran: the connection is no longer this poll's
}

// quietContext is a context whose Done is nil; Err and Deadline are its
// parent's, so pgconn still reports a timeout at the deadline as one.
type quietContext struct{ context.Context }

// Done is nil: the context is never watched.
func (quietContext) Done() <-chan struct{} { return nil }

// newPollDeadline sets conn's read deadline to ctx's and moves it to now
// when ctx is cancelled.
func newPollDeadline(ctx context.Context, conn *pgconn.PgConn) *pollDeadline {
	d := &pollDeadline{ctx: ctx, quiet: quietContext{ctx}, conn: conn}
	d.end, _ = ctx.Deadline()
	d.set(d.end)
	d.stop = context.AfterFunc(ctx, func() { d.set(time.Now()) })
	return d
}

// set sets the read deadline to at, or to now once ctx has ended.
func (d *pollDeadline) set(at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.over {
		return
	}
	if d.ctx.Err() != nil {
		at = time.Now()
	}
	d.conn.Conn().SetReadDeadline(at)
}

// wait bounds the next read to timeout from now (within ctx's deadline).
func (d *pollDeadline) wait(timeout time.Duration) {
	at := time.Now().Add(timeout)
	if !d.end.IsZero() && d.end.Before(at) {
		at = d.end
	}
	d.set(at)
}

// expired reports whether ctx's deadline has passed: a read that timed out
// then ended the poll, though ctx's own timer may not have fired yet.
func (d *pollDeadline) expired() bool { return !d.end.IsZero() && !time.Now().Before(d.end) }

// release clears the read deadline for the connection's other uses.
func (d *pollDeadline) release() {
	d.stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.over = true
	d.conn.Conn().SetReadDeadline(time.Time{})
}
