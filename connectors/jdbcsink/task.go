package jdbcsink

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// maxBinds bounds the parameters of one statement (PostgreSQL and MySQL
// both stop at 65535).
const maxBinds = 65535

// Task writes one invocation's records in one transaction: Put runs the
// statements, Flush commits. Records written in the transaction are kept
// until the commit, so that after a lost connection the next Put or Flush
// replays them into a new transaction.
type Task struct {
	cfg     *Config
	url     *dialect.URL
	dialect *dialect.Dialect
	quoting dialect.Quoting
	db      *sql.DB
	tx      *sql.Tx
	shapes  map[shapeKey]*shape
	checked map[string]bool
	// inserts are the multi-row statements built (insertSQL).
	inserts map[insertKey]string
	// written are the records in the open (or lost) transaction.
	written []*connectors.Record
	lost    bool
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{} }

// Open parses the config and connects.
func (t *Task) Open(ctx context.Context, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	u, _ := dialect.ParseURL(cfg.URL)
	t.url = u.WithCredentials(cfg.User, cfg.Password)
	t.dialect = t.url.Dialect
	if cfg.Dialect != "" {
		t.dialect = dialect.ByName(cfg.Dialect)
	}
	t.quoting = dialect.ParseQuoting(cfg.Quote)
	t.shapes, t.checked = map[shapeKey]*shape{}, map[string]bool{}
	if t.db, err = dialect.Open(ctx, t.url); err != nil {
		if errors.Is(err, dialect.ErrAuth) {
			return err
		}
		return connectors.Retriable(err)
	}
	return nil
}

// OverlapsPut reports that a Put mostly waits on the database
// (connectors.PutOverlapper): the runtime converts the next batch meanwhile.
func (t *Task) OverlapsPut() bool { return true }

// PutSize asks for batch.size records per Put (connectors.PutSizer), so that
// a table's rows go in statements of batch.size rows, not in statements of
// what one fetch brought.
func (t *Task) PutSize() int { return t.cfg.BatchSize }

// Put writes records in the transaction, batch.size rows per statement.
// Rows the database refuses (a NOT NULL or other constraint, a value that
// does not fit) come back in a connectors.RejectedError naming the cause;
// the rest are written.
func (t *Task) Put(ctx context.Context, records []*connectors.Record) error {
	if err := t.recover(ctx); err != nil {
		return err
	}
	rejected, err := t.write(ctx, records)
	if err != nil {
		return t.lose(err)
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// recover replays the records of a lost transaction into a new one.
func (t *Task) recover(ctx context.Context) error {
	if !t.lost {
		return nil
	}
	replay := t.written
	t.written, t.lost, t.checked = nil, false, map[string]bool{}
	if _, err := t.write(ctx, replay); err != nil {
		return t.lose(err)
	}
	return nil
}

// lose rolls back after a failure that may pass (a lost connection): the
// records written so far are replayed on the next Put or Flush.
func (t *Task) lose(err error) error {
	if connectors.IsRetriable(err) {
		if t.tx != nil {
			t.tx.Rollback()
			t.tx = nil
		}
		t.lost = true
	}
	return err
}

// write turns records into batches of one table, shape and operation and
// runs each; it returns the rejected records.
func (t *Task) write(ctx context.Context, records []*connectors.Record) ([]connectors.RejectedRecord, error) {
	var rejected []connectors.RejectedRecord
	var b *batch
	flush := func() error {
		if b == nil || len(b.rows) == 0 {
			return nil
		}
		rej, err := t.run(ctx, b)
		rejected = append(rejected, rej...)
		b = nil
		return err
	}
	for _, r := range records {
		sh, op, err := t.plan(r)
		if errors.Is(err, ErrRecord) {
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: err})
			continue
		}
		if err != nil {
			return rejected, err
		}
		if op == "" {
			continue
		}
		row, err := sh.row(r, t.cfg.PKMode)
		if err != nil {
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: fmt.Errorf("%w: %w", ErrRecord, err)})
			continue
		}
		if b != nil && (b.sh != sh || b.op != op || len(b.rows) >= t.rowsPerBatch(sh)) {
			if err := flush(); err != nil {
				return rejected, err
			}
		}
		if b == nil {
			b = newBatch(sh, op)
		}
		b.add(r, row)
	}
	return rejected, flush()
}

// plan picks the shape and operation of r; no operation means skip it.
func (t *Task) plan(r *connectors.Record) (*shape, string, error) {
	if r.Value == nil && !t.cfg.DeleteOn {
		return nil, "", nil // Confluent skips tombstones unless delete.enabled
	}
	table := strings.ReplaceAll(t.cfg.TableFmt, "${topic}", r.Topic)
	sh, err := t.shapeOf(r, table)
	if err != nil {
		return nil, "", err
	}
	if r.Value == nil {
		return sh, opDelete, nil
	}
	return sh, t.cfg.InsertMode, nil
}

func (t *Task) rowsPerBatch(sh *shape) int {
	n := max(t.cfg.BatchSize, 1)
	return min(n, maxBinds/max(len(sh.keys)+len(sh.values), 1))
}

// Flush commits the transaction (replaying it first if it was lost).
func (t *Task) Flush(ctx context.Context) error {
	if err := t.recover(ctx); err != nil {
		return err
	}
	if t.tx == nil {
		return nil
	}
	err := t.tx.Commit()
	t.tx = nil
	if err != nil {
		t.lost = true
		return connectors.Retriable(fmt.Errorf("jdbc sink: committing the transaction on %s: %w", t.url, err))
	}
	t.written = nil
	return nil
}

// Close rolls back an uncommitted transaction and closes the pool.
func (t *Task) Close() error {
	if t.tx != nil {
		t.tx.Rollback()
		t.tx = nil
	}
	if t.db != nil {
		return t.db.Close()
	}
	return nil
}

// begin opens the transaction on first use.
func (t *Task) begin(ctx context.Context) (*sql.Tx, error) {
	if t.tx != nil {
		return t.tx, nil
	}
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, t.dbError("starting a transaction", err)
	}
	t.tx = tx
	return tx, nil
}
