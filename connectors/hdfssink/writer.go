package hdfssink

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// file is one temporary file of an open set.
type file struct {
	tmp         *tmpFile
	w           storage.RecordWriter
	first, last int64
}

// tpWriter holds the open files of one topic-partition.
type tpWriter struct {
	t       *Task
	tp      connectors.TopicPartition
	files   map[string]*file
	order   []string
	count   int
	first   int64 // offset of the first record in the open files
	firstTS int64 // Kafka timestamp of that record
	// openedAt is when this invocation opened the files (wall clock, ms).
	openedAt int64
	base     int64 // extracted timestamp of that record (rotate.interval.ms)
	current  string
	schema   *connectors.Schema
	// done is, per encoded partition seen, the offsets of its committed files.
	done map[string][]span
	// progress: a retried Put skips the records written and rejects again
	// those rejected before the partition was held.
	progress storage.Progress
	// held is, after an HDFS failure, the first offset not committed:
	// nothing more is written for the partition in this invocation. -1 if none.
	held int64
}

func (w *tpWriter) write(ctx context.Context, r *connectors.Record) error {
	if done, err := w.progress.Done(r.Offset); done {
		if w.held >= 0 && r.Offset >= w.held {
			return nil // the next invocation reads it again
		}
		return err
	}
	if w.held >= 0 {
		return nil
	}
	err := w.put(ctx, r)
	if err == nil || storage.Rejects(err, ErrRecord) {
		w.progress.Handled(r.Offset, err)
		return err
	}
	return w.failed(err, r.Offset)
}

// put writes r unless a committed file holds it already.
func (w *tpWriter) put(ctx context.Context, r *connectors.Record) error {
	if r.Value == nil {
		return fmt.Errorf("%w: null value (a tombstone): HDFS files hold no deletes; drop tombstones with a transform (Filter with RecordIsTombstone)", ErrRecord)
	}
	ts, err := w.t.ts(r)
	if err != nil {
		return err
	}
	enc, err := w.t.part.Encode(r, ts)
	if err != nil {
		return err
	}
	done, err := w.committed(enc)
	if err != nil || covered(done, r.Offset) {
		return err
	}
	if w.count > 0 && (!connectors.Equal(w.schema, r.ValueSchema) || w.rotateOnTime(enc, ts)) {
		if err := w.commit(ctx); err != nil {
			return err
		}
	}
	f, err := w.open(ctx, enc, r)
	if err != nil {
		return err
	}
	if err := f.w.Write(r); err != nil {
		return err
	}
	f.last = r.Offset
	if w.count == 0 {
		w.first, w.firstTS, w.base, w.schema = r.Offset, r.Timestamp, ts, r.ValueSchema
		w.openedAt = w.t.now().UnixMilli()
	}
	w.count++
	w.current = enc
	if w.count >= w.t.cfg.FlushSize {
		return w.commit(ctx)
	}
	return nil
}

// committed lists, once per invocation, the committed files of an encoded
// partition: what earlier invocations (or an earlier try) finished.
func (w *tpWriter) committed(enc string) ([]span, error) {
	if s, ok := w.done[enc]; ok {
		return s, nil
	}
	names, err := w.t.fs.names(w.t.dir(w.tp, enc))
	if err != nil {
		return nil, err
	}
	s := spans(w.tp, names)
	w.done[enc] = s
	return s, nil
}

// rotateOnTime is Confluent's periodic rotation (storage.Rotation.OnTime).
func (w *tpWriter) rotateOnTime(enc string, ts int64) bool {
	return w.t.rot.OnTime(enc, w.current, ts, w.base, w.openedAt, w.t.now().UnixMilli())
}

// scheduledRotation is rotate.schedule.interval.ms for a set opened at
// opened; at Flush the first record's Kafka timestamp stands in for the
// opening when earlier: earlier invocations may have opened (and dropped)
// the set.
func (w *tpWriter) scheduledRotation(opened int64) bool {
	if opened < 0 {
		opened = w.openedAt
	}
	return w.t.rot.Scheduled(opened, w.t.now().UnixMilli())
}

func (w *tpWriter) open(ctx context.Context, enc string, r *connectors.Record) (*file, error) {
	if f := w.files[enc]; f != nil {
		return f, nil
	}
	tmp, err := w.t.fs.create(ctx, w.t.tmpName(w.tp, enc))
	if err != nil {
		return nil, err
	}
	rw, err := w.t.format.Open(tmp, r)
	if err != nil {
		w.t.fs.drop(tmp)
		return nil, err
	}
	f := &file{tmp: tmp, w: rw, first: r.Offset}
	w.files[enc] = f
	w.order = append(w.order, enc)
	return f, nil
}

// commit finishes every open file of the partition and renames it into place.
func (w *tpWriter) commit(ctx context.Context) error {
	for _, enc := range w.order {
		f := w.files[enc]
		if err := f.w.Close(); err != nil {
			return fmt.Errorf("hdfs sink: finishing %s: %w", f.tmp.name, err)
		}
		if err := w.t.fs.finish(ctx, f.tmp); err != nil {
			return err
		}
		if err := w.t.fs.commit(f.tmp.name, w.t.committedFile(w.tp, enc, f.first, f.last)); err != nil {
			return err
		}
		w.done[enc] = append(w.done[enc], span{f.first, f.last})
		delete(w.files, enc)
	}
	w.order, w.count, w.schema = w.order[:0], 0, nil
	return nil
}

// failed drops the open files after an HDFS failure and holds the partition
// at the first offset not committed; err stays retriable.
func (w *tpWriter) failed(err error, at int64) error {
	w.held = at
	if w.count > 0 {
		w.held = w.first
	}
	w.discard()
	if !connectors.IsRetriable(err) {
		err = connectors.Retriable(err)
	}
	return err
}

// discard removes the open files' temporary files.
func (w *tpWriter) discard() error {
	var errs []error
	for _, f := range w.files {
		errs = append(errs, w.t.fs.drop(f.tmp))
	}
	w.files, w.order, w.count = map[string]*file{}, nil, 0
	return errors.Join(errs...)
}
