package hdfssink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// Task is the HDFS sink task of one invocation. It keeps, per
// topic-partition, the files being written (one per encoded partition) and
// commits them together, as Confluent's TopicPartitionWriter.
type Task struct {
	cfg    *Config
	fs     *fs
	part   storage.Partitioner
	ts     storage.Extractor
	format storage.Format
	ext    string
	loc    *time.Location
	rot    storage.Rotation
	tps    map[connectors.TopicPartition]*tpWriter
	now    func() time.Time
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{now: time.Now} }

// Open parses the config and connects to the NameNode.
func (t *Task) Open(ctx context.Context, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.part, err = storage.NewPartitioner(&cfg.PartitionerConfig, cfg.DirDelim); err != nil {
		return fmt.Errorf("hdfs sink config: %w", err)
	}
	if t.format, t.ext, err = newFormat(cfg); err != nil {
		return fmt.Errorf("hdfs sink config: %w", err)
	}
	t.loc = cfg.Location()
	t.ts = storage.NewExtractor(&cfg.PartitionerConfig, t.now)
	t.rot = storage.Rotation{IntervalMs: cfg.RotateInterval, ScheduleMs: cfg.RotateSchedule, Loc: t.loc, TimeBased: t.part.TimeBased()}
	t.tps = map[connectors.TopicPartition]*tpWriter{}
	t.fs, err = connect(cfg.URL)
	return err
}

// Put writes each record into its temporary file; a file set is committed
// as soon as it holds flush.size records or a rotation rule fires. A record
// that cannot be written is reported in a connectors.RejectedError; the
// others are written. When HDFS fails, the partition's open files are
// dropped, nothing more is written for it in this invocation (Committable
// holds its offset back) and the error is a RetriableError.
func (t *Task) Put(ctx context.Context, records []*connectors.Record) error {
	err := storage.Put(records, func(r *connectors.Record) error { return t.writer(r).write(ctx, r) }, ErrRecord)
	if storage.Finished(err) {
		for _, w := range t.tps {
			w.progress.Reported()
		}
	}
	return err
}

func (t *Task) writer(r *connectors.Record) *tpWriter {
	tp := connectors.TopicPartition{Topic: r.Topic, Partition: r.Partition}
	w := t.tps[tp]
	if w == nil {
		w = &tpWriter{t: t, tp: tp, files: map[string]*file{}, done: map[string][]span{}, held: -1}
		t.tps[tp] = w
	}
	return w
}

// Flush commits file sets whose rotate.schedule.interval.ms boundary passed.
// Other unfinished files stay uncommitted: Committable holds their offsets back.
func (t *Task) Flush(ctx context.Context) error {
	for _, w := range t.sorted() {
		if w.count > 0 && w.held < 0 && w.scheduledRotation(min(w.firstTS, w.openedAt)) {
			if err := w.commit(ctx); err != nil {
				return w.failed(err, w.first)
			}
		}
	}
	return nil
}

// Committable reports, for each partition with unfinished files (or a
// failure), the first offset not in a committed file.
func (t *Task) Committable() map[connectors.TopicPartition]int64 {
	out := map[connectors.TopicPartition]int64{}
	for tp, w := range t.tps {
		switch {
		case w.held >= 0:
			out[tp] = w.held
		case w.count > 0:
			out[tp] = w.first
		}
	}
	return out
}

// Close removes the temporary files of unfinished sets and disconnects.
func (t *Task) Close() error {
	if t.fs == nil {
		return nil
	}
	var errs []error
	for _, w := range t.sorted() {
		errs = append(errs, w.discard())
	}
	errs = append(errs, t.fs.close())
	return errors.Join(errs...)
}

func (t *Task) sorted() []*tpWriter { return storage.Sorted(t.tps) }
