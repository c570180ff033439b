package storage

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Rotation is Confluent's periodic file rotation: rotate.interval.ms on the
// records' extracted timestamps, rotate.schedule.interval.ms on the wall clock.
type Rotation struct {
	IntervalMs int64 // rotate.interval.ms; off when not positive
	ScheduleMs int64 // rotate.schedule.interval.ms; off when not positive
	Loc        *time.Location
	// TimeBased is the partitioner's TimeBased: a record in another time
	// partition rotates too (under rotate.interval.ms).
	TimeBased bool
}

// OnTime reports whether the open file set must be committed before a
// record at extracted time ts in encoded partition enc: ts is
// rotate.interval.ms past base (the set's first record's), or enc is not
// the set's current time partition; or Scheduled(opened, now).
func (r Rotation) OnTime(enc, current string, ts, base, opened, now int64) bool {
	if r.IntervalMs > 0 && (ts-base >= r.IntervalMs || (r.TimeBased && enc != current)) {
		return true
	}
	return r.Scheduled(opened, now)
}

// Scheduled: rotate.schedule.interval.ms boundaries (aligned in Loc) fall on
// the wall clock; a set opened at opened (epoch ms) is due once the next
// boundary passed (now, epoch ms).
func (r Rotation) Scheduled(opened, now int64) bool {
	if r.ScheduleMs <= 0 {
		return false
	}
	return now >= FloorInZone(opened, r.ScheduleMs, r.Loc)+r.ScheduleMs
}

// Put hands each record to write, in order. A record's own failure (an
// error wrapping ErrRecord, ErrSchema or one of perRecord) is collected,
// naming the record, in a connectors.RejectedError and the others are
// written; any other error stops Put and is returned.
func Put(records []*connectors.Record, write func(*connectors.Record) error, perRecord ...error) error {
	var rejected []connectors.RejectedRecord
	for _, r := range records {
		err := write(r)
		if err == nil {
			continue
		}
		if !Rejects(err, perRecord...) {
			return err
		}
		rejected = append(rejected, connectors.RejectedRecord{Record: r,
			Err: fmt.Errorf("%w (topic %s partition %d offset %d)", err, r.Topic, r.Partition, r.Offset)})
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// Finished reports whether a Put's err ends its batch: nil, or a
// *connectors.RejectedError (the runtime never gives that batch again).
func Finished(err error) bool {
	var rej *connectors.RejectedError
	return err == nil || errors.As(err, &rej)
}

// Rejects reports whether err is one record's failure: it wraps ErrRecord,
// ErrSchema or one of perRecord.
func Rejects(err error, perRecord ...error) bool {
	for _, target := range append([]error{ErrRecord, ErrSchema}, perRecord...) {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Sorted returns the values of m ordered by topic, then partition: the
// order a sink commits its partitions' files in.
func Sorted[W any](m map[connectors.TopicPartition]W) []W {
	tps := make([]connectors.TopicPartition, 0, len(m))
	for tp := range m {
		tps = append(tps, tp)
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
	out := make([]W, len(tps))
	for i, tp := range tps {
		out[i] = m[tp]
	}
	return out
}

// Progress is how far a partition's writer got in the batches of one
// invocation. After a retriable failure the runtime gives the same batch
// again: the records an earlier try wrote are skipped, and those it rejected
// are rejected again with the same error, so each is written or reported
// once whatever the try that failed.
type Progress struct {
	next     int64           // offset after the last record handled
	rejected map[int64]error // rejections not yet reported by a Put
}

// Done reports whether an earlier try handled the record at offset; if it
// rejected it, err is that rejection, to report again.
func (p *Progress) Done(offset int64) (done bool, err error) {
	if offset >= p.next {
		return false, nil
	}
	return true, p.rejected[offset]
}

// Handled notes the record at offset written (err nil) or rejected (err,
// a record's own failure).
func (p *Progress) Handled(offset int64, err error) {
	p.next = offset + 1
	if err != nil {
		if p.rejected == nil {
			p.rejected = map[int64]error{}
		}
		p.rejected[offset] = err
	}
}

// Reported forgets the rejections once a Put returned them to the runtime.
func (p *Progress) Reported() { clear(p.rejected) }
