package s3sink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// Task is the S3 sink task of one invocation. It keeps, per topic-partition,
// the files being written (one per encoded partition) and commits them
// together, as Confluent's TopicPartitionWriter.
type Task struct {
	cfg    *Config
	store  *store
	part   storage.Partitioner
	ts     storage.Extractor
	format storage.Format
	loc    *time.Location
	rot    storage.Rotation
	tps    map[connectors.TopicPartition]*tpWriter
	now    func() time.Time
	// resumed is the file set each partition starts with, as earlier
	// invocations left it (ResumeState).
	resumed map[connectors.TopicPartition]*resumedSet
	// unsettled: some partition has a full part to send or a set due.
	unsettled bool
	// bg sends finished file sets while the next records are written;
	// sending counts the sets handed to it and not yet known written.
	bg      *background
	sending int
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{now: time.Now} }

// Open parses the config and starts checking that the bucket can be
// written (bucketcheck.go).
func (t *Task) Open(ctx context.Context, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.part, err = storage.NewPartitioner(&cfg.PartitionerConfig, cfg.DirDelim); err != nil {
		return fmt.Errorf("s3 sink config: %w", err)
	}
	if t.format, err = newFormat(cfg); err != nil {
		return fmt.Errorf("s3 sink config: %w", err)
	}
	t.loc = cfg.Location()
	t.ts = storage.NewExtractor(&cfg.PartitionerConfig, t.now)
	t.rot = storage.Rotation{IntervalMs: cfg.RotateInterval, ScheduleMs: cfg.RotateSchedule, Loc: t.loc, TimeBased: t.part.TimeBased()}
	t.tps = map[connectors.TopicPartition]*tpWriter{}
	t.store = newStore(cfg)
	t.bg = newBackground(ctx)
	t.store.startCheck(ctx)
	return nil
}

// TakesJSONValues reports whether the task takes values already written as
// JSON (connectors.JSONValueTaker): JsonFormat writes each value as that
// JSON, and neither the partitioner nor the timestamp extractor reads it.
func (t *Task) TakesJSONValues() bool {
	return t.cfg != nil && formatOf(t.cfg.FormatClass) == "json" && !t.cfg.PartitionerConfig.ReadsValues()
}

// OverlapsPut reports that the runtime may convert the next batch while a
// Put formats this one and waits for S3 (connectors.PutOverlapper): on two
// cores or more the two run side by side.
func (t *Task) OverlapsPut() bool { return true }

// fetchBytes is the most of a partition the task asks one fetch to bring.
const fetchBytes = 4 << 20

// PartitionFetchBytes asks for fetches of up to 4 MiB of a partition
// (connectors.FetchSizer; the runtime's default is 256 KiB): the task holds
// whole objects in memory (flush.size records per open file), beside which
// such a fetch is small, and it reads with fewer round trips. With franz-go's
// producer batches of about 650 KB every 256 KiB fetch is one batch:
// BenchmarkS3SinkVsDirect's 30,000 records took about 48 fetches, each
// waited for (the client fetches the next once the last is taken).
func (t *Task) PartitionFetchBytes() int { return fetchBytes }

// Put writes each record into its file; a file set is committed to S3 as soon
// as it holds flush.size records or a rotation rule fires: its objects are
// sent in the background (background.go) while Put goes on. A record that
// cannot be written is reported in a connectors.RejectedError; the others are
// written. A failure of an earlier set's objects is returned before any
// record is written.
//
// After a retriable failure the runtime gives the same batch again: Put
// first finishes the uploads the failure interrupted, then skips the
// records already in a file, so every object holds each record once.
func (t *Task) Put(ctx context.Context, records []*connectors.Record) error {
	if err := t.store.refused(); err != nil {
		return err
	}
	if err := t.settle(ctx); err != nil {
		return err
	}
	err := storage.Put(records, func(r *connectors.Record) error { return t.writer(r).write(ctx, r) }, ErrRecord)
	if !storage.Finished(err) {
		return err // the runtime retries (or not) after its backoff
	}
	if serr := t.settle(ctx); serr != nil {
		return serr
	}
	for _, w := range t.tps {
		w.progress.Reported()
	}
	return err
}

// settle sends again the sets whose failure was returned, returns a new
// failure of the sets sent in the background, then sends the full parts and
// commits the due file sets of every partition.
func (t *Task) settle(ctx context.Context) error {
	if err := t.settleSent(ctx, false); err != nil {
		return err
	}
	if !t.unsettled {
		return nil
	}
	for _, w := range t.sorted() {
		if err := w.settle(ctx); err != nil {
			return err
		}
	}
	t.unsettled = false
	return nil
}

func (t *Task) writer(r *connectors.Record) *tpWriter {
	tp := connectors.TopicPartition{Topic: r.Topic, Partition: r.Partition}
	w := t.tps[tp]
	if w == nil {
		w = &tpWriter{t: t, tp: tp, files: map[string]*file{}, resumed: t.resumed[tp]}
		t.tps[tp] = w
	}
	return w
}

// Flush commits file sets whose rotate.schedule.interval.ms boundary passed
// and waits until every committed set is written (or returns the failure).
// Other unfinished files stay unwritten: Committable holds their offsets back.
func (t *Task) Flush(ctx context.Context) error {
	if err := t.store.ready(ctx); err != nil {
		return err
	}
	if err := t.settle(ctx); err != nil {
		return err
	}
	for _, w := range t.sorted() {
		if w.count > 0 && w.scheduledRotation(min(w.firstTS, w.openedAt)) {
			if err := w.commit(ctx); err != nil {
				return err
			}
		}
	}
	return t.settleSent(ctx, true)
}

// Committable reports, for each partition with unfinished files or sets not
// known to be written, the offset of the oldest one's first record: nothing
// from there on is surely in S3 yet.
func (t *Task) Committable() map[connectors.TopicPartition]int64 {
	out := map[connectors.TopicPartition]int64{}
	for tp, w := range t.tps {
		if first, held := w.oldestUnwritten(); held {
			out[tp] = first
		}
	}
	return out
}

// Close stops the sets being sent and aborts the multipart uploads of
// unfinished files.
func (t *Task) Close() error {
	if t.bg == nil {
		return nil // never opened
	}
	t.bg.stop()
	t.store.wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, w := range t.sorted() {
		errs = append(errs, w.discard(ctx))
	}
	return errors.Join(errs...)
}

func (t *Task) sorted() []*tpWriter { return storage.Sorted(t.tps) }

// objectKey is Confluent's file name:
// <topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<offset>.<ext>.
func (t *Task) objectKey(tp connectors.TopicPartition, encoded string, start int64) string {
	c := t.cfg
	off := strconv.FormatInt(start, 10)
	if len(off) < c.ZeroPad {
		off = strings.Repeat("0", c.ZeroPad-len(off)) + off
	}
	name := tp.Topic + c.FileDelim + strconv.Itoa(int(tp.Partition)) + c.FileDelim + off + t.format.Extension()
	dir := tp.Topic + c.DirDelim + encoded
	if c.TopicsDir != "" {
		dir = c.TopicsDir + c.DirDelim + dir
	}
	return dir + c.DirDelim + name
}

// file is one object being written.
type file struct {
	up     *upload
	w      storage.RecordWriter
	closed bool // w is closed: the object's bytes are all in up
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
	last     int64 // offset of the last record in the open files
	current  string
	schema   *connectors.Schema
	// resumed is the open set as earlier invocations left it, until it is committed.
	resumed *resumedSet
	// lastSize is the size of the partition's last written object: the
	// next one's buffer starts with that much room.
	lastSize int64
	// progress: a batch given again after a failure is written from there.
	progress storage.Progress
	// due: the open set must be committed (flush.size reached, or a commit
	// failed) before anything else is written.
	due bool
	// full: an open file buffers a whole part not sent yet.
	full bool
	// sent are the committed sets not known to be written, oldest first.
	sent []*sending
}

// settle sends the open files' full parts and commits the set when due.
// Either may fail and is done again by the next call.
func (w *tpWriter) settle(ctx context.Context) error {
	if w.full {
		for _, enc := range w.order {
			if err := w.files[enc].up.sendParts(ctx); err != nil {
				return err
			}
		}
		w.full = false
	}
	if w.due {
		return w.commit(ctx)
	}
	return nil
}

// write writes r unless an earlier try of the batch did (or rejected it:
// then the rejection again). A failure to send leaves r out of the files,
// to be written again.
func (w *tpWriter) write(ctx context.Context, r *connectors.Record) error {
	if done, err := w.progress.Done(r.Offset); done {
		return err
	}
	if err := w.settle(ctx); err != nil {
		return err
	}
	err := w.put(ctx, r)
	if err == nil || storage.Rejects(err, ErrRecord) {
		w.progress.Handled(r.Offset, err)
	}
	return err
}

// put adds r to the file of its encoded partition; reaching flush.size makes
// the set due.
func (w *tpWriter) put(ctx context.Context, r *connectors.Record) error {
	cfg := w.t.cfg
	if r.Value == nil {
		if cfg.NullValues == "ignore" {
			return nil
		}
		return fmt.Errorf("%w: null value (a tombstone): set behavior.on.null.values=ignore to skip such records", ErrRecord)
	}
	ts, err := w.t.ts(r)
	if err != nil {
		return err
	}
	enc, err := w.t.part.Encode(r, ts)
	if err != nil {
		return err
	}
	if w.count > 0 && (!connectors.Equal(w.schema, r.ValueSchema) || w.rotateOnTime(enc, w.rotationTime(r, ts))) {
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
	w.full = w.full || f.up.full()
	w.t.unsettled = w.t.unsettled || w.full
	if w.count == 0 {
		w.first, w.firstTS, w.base, w.schema = r.Offset, r.Timestamp, ts, r.ValueSchema
		w.openedAt = w.t.now().UnixMilli()
		w.resume()
	}
	w.last = r.Offset
	w.count++
	w.current = enc
	w.due = w.count >= cfg.FlushSize
	w.t.unsettled = w.t.unsettled || w.due
	return nil
}

// rotateOnTime is Confluent's periodic rotation (storage.Rotation.OnTime).
func (w *tpWriter) rotateOnTime(enc string, ts int64) bool {
	return w.t.rot.OnTime(enc, w.current, ts, w.base, w.openedAt, w.t.now().UnixMilli())
}

// scheduledRotation: rotate.schedule.interval.ms boundaries (aligned in the
// time zone) fall on the wall clock; a file set opened at opened (epoch ms)
// is committed once the next boundary passed. While records are written,
// opened is when this invocation opened the set; at Flush the first record's
// Kafka timestamp stands in for it when earlier, since the set may have been
// opened (and held back) by earlier invocations, which a stateless one
// cannot know.
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
	up := w.t.store.newUpload(w.t.objectKey(w.tp, enc, r.Offset), w.lastSize)
	rw, err := w.t.format.Open(up, r)
	if err != nil {
		return nil, err
	}
	f := &file{up: up, w: rw}
	w.files[enc] = f
	w.order = append(w.order, enc)
	return f, nil
}

// commit finishes every open file of the partition and hands the set to the
// background to be written (background.go). After a failure the set stays
// due and commit goes on from where it stopped: files already finished are
// not finished again.
func (w *tpWriter) commit(ctx context.Context) error {
	w.due, w.t.unsettled = true, true
	for _, enc := range w.order {
		if err := w.files[enc].finish(); err != nil {
			return err
		}
	}
	if len(w.order) > 0 {
		s := &sending{first: w.first, files: make([]*file, len(w.order))}
		for i, enc := range w.order {
			s.files[i] = w.files[enc]
		}
		size := s.files[len(s.files)-1].up.size
		if err := w.t.bg.start(ctx, s); err != nil {
			return err
		}
		w.sent = append(w.sent, s)
		w.t.sending++
		w.lastSize = size
	}
	clear(w.files)
	w.order, w.count, w.schema, w.resumed, w.due, w.full = w.order[:0], 0, nil, nil, false, false
	return nil
}

// finish closes the file's writer, once: then the object's bytes are all
// buffered, ready to be written.
func (f *file) finish() error {
	if !f.closed {
		if err := f.w.Close(); err != nil {
			return fmt.Errorf("s3 sink: finishing %s: %w", f.up.key, err)
		}
		f.closed = true
	}
	return nil
}

// discard aborts the uploads of the open files and of the sets not written
// (the background is stopped).
func (w *tpWriter) discard(ctx context.Context) error {
	var errs []error
	for _, enc := range w.order {
		errs = append(errs, w.files[enc].up.abort(ctx))
	}
	for _, s := range w.sent {
		errs = append(errs, s.abort(ctx))
	}
	w.files, w.order, w.count, w.due, w.full, w.sent = map[string]*file{}, nil, 0, false, false, nil
	return errors.Join(errs...)
}
