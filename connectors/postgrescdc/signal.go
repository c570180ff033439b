package postgrescdc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
)

// Debezium's signalling table: the signals a user writes there
// (execute-snapshot, stop-snapshot) and the watermarks incremental snapshot
// chunks write.

// loadSignal finds the signalling table and checks it is in the publication.
func (tk *Task) loadSignal(ctx context.Context) error {
	if tk.cfg.SignalCollection == "" {
		return nil
	}
	schema, name, _ := strings.Cut(tk.cfg.SignalCollection, ".")
	err := tk.conn.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
		schema, name).Scan(&tk.inc.signal)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("signal.data.collection=%s: the table does not exist; create it: CREATE TABLE %s (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
			tk.cfg.SignalCollection, pgx.Identifier{schema, name}.Sanitize())
	}
	if err != nil || tk.cfg.SnapshotMode == SnapshotInitialOnly {
		return err
	}
	var in bool
	if err := tk.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3)`,
		tk.cfg.Publication, schema, name).Scan(&in); err != nil {
		return fmt.Errorf("%w: reading publication %q: %v", ErrPublication, tk.cfg.Publication, err)
	}
	if !in {
		return fmt.Errorf("%w: signal.data.collection=%s is not in publication %q, so its signals and watermarks never reach the stream; run ALTER PUBLICATION %s ADD TABLE %s",
			ErrPublication, tk.cfg.SignalCollection, tk.cfg.Publication, pgx.Identifier{tk.cfg.Publication}.Sanitize(), pgx.Identifier{schema, name}.Sanitize())
	}
	return nil
}

// watermark writes a watermark row; del closes the window by deleting the
// opening row instead (insert_delete). The high watermark (the one a chunk
// waits for) commits with synchronous_commit on: it reaches the stream once
// its commit is flushed, and with the server's synchronous_commit=off that
// would wait for the WAL writer (wal_writer_delay, 200 ms) every chunk. Its
// flush carries the low watermark's WAL too.
func (tk *Task) watermark(ctx context.Context, w debezium.Watermark, del bool) error {
	schema, name, _ := strings.Cut(tk.cfg.SignalCollection, ".")
	tbl := pgx.Identifier{schema, name}.Sanitize()
	b := &pgx.Batch{}
	high := w.Type == debezium.SignalWindowClose
	if high {
		b.Queue("BEGIN")
		b.Queue("SET LOCAL synchronous_commit = on")
	}
	if del {
		b.Queue("DELETE FROM "+tbl+" WHERE id = $1", strings.TrimSuffix(w.ID, "-close")+"-open")
	} else {
		b.Queue("INSERT INTO "+tbl+" (id, type, data) VALUES ($1, $2, $3)", w.ID, w.Type, w.Data)
	}
	if high {
		b.Queue("COMMIT")
	}
	if err := tk.conn.SendBatch(ctx, b).Close(); err != nil {
		_, _ = tk.conn.Exec(ctx, "ROLLBACK") // leave no transaction open on a failure
		return fmt.Errorf("postgres cdc: writing the %s watermark to %s: %w; grant the user INSERT and DELETE on it", w.Type, tbl, err)
	}
	return nil
}

// signal handles a row inserted into (or deleted from) the signalling table.
func (tk *Task) signal(op string, td *pglogrepl.TupleData, rel uint32, x pglogrepl.XLogData) error {
	vals, _ := tk.tupleTexts(rel, td)
	text := func(k string) string {
		if v := vals[k]; v != nil {
			return *v
		}
		return ""
	}
	id, typ := text("id"), text("type")
	in := &tk.inc
	if op == "d" { // insert_delete: deleting the opening row closes the window
		if rows, ok := in.window.Close(strings.TrimSuffix(id, "-open") + "-close"); ok {
			tk.emitChunk(rows, x)
		}
		return nil
	}
	switch typ {
	case debezium.SignalWindowOpen:
		in.window.Open(id)
	case debezium.SignalWindowClose:
		if rows, ok := in.window.Close(id); ok {
			tk.emitChunk(rows, x)
		}
	default:
		tk.applySignal(id, typ, text("data"))
	}
	return nil
}

// addCollections queues the captured tables that req names (names or
// regular expressions over schema.table) with their additional conditions,
// as an execute-snapshot signal asks; true when the snapshot was idle before.
func (tk *Task) addCollections(req debezium.SnapshotRequest) bool {
	idle := !tk.inc.busy()
	for _, n := range req.Collections {
		re, err := regexp.Compile("^(?:" + n + ")$")
		matched := false
		for _, t := range tk.tables {
			if (t.String() == n || err == nil && re.MatchString(t.String())) && !slices.Contains(tk.inc.queue, t.String()) {
				tk.inc.queue = append(tk.inc.queue, t.String())
				tk.inc.setCondition(t.String(), req.Condition(t.String()))
			}
			matched = matched || t.String() == n || err == nil && re.MatchString(t.String())
		}
		if !matched {
			slog.Warn("postgres cdc: execute-snapshot names a table that is not captured; check table.include.list", "table", n)
		}
	}
	return idle && tk.inc.busy()
}

// stop removes tables from the snapshot (all of them when names is empty).
func (tk *Task) stopCollections(names []string) {
	in := &tk.inc
	if len(names) == 0 && len(in.queue) > 0 {
		in.queue = in.queue[:1]
		in.nextTable()
		return
	}
	for _, n := range names {
		if i := slices.Index(in.queue, n); i == 0 {
			in.nextTable()
		} else if i > 0 {
			in.queue = slices.Delete(in.queue, i, i+1)
			delete(in.conds, n)
		}
	}
}
