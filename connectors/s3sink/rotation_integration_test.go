//go:build integration

package s3sink_test

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestS3WallclockRotationAcrossInvocations: rotate.interval.ms with the
// default Wallclock extractor fires although every invocation is far shorter
// than the interval: the open file set's clock is committed with the offset
// and goes on in the next invocation. Three invocations at t0, t0+40m and
// t0+61m (a task clock); one hour's interval; flush.size never reached.
func TestS3WallclockRotationAcrossInvocations(t *testing.T) {
	r := newRig(t)
	var clock atomic.Int64
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixMilli())
	r.Rig = sinktest.New(t, "s3-clock", s3sink.PluginWithClock(func() time.Time { return time.UnixMilli(clock.Load()) }))
	topic, bucket := r.Topic("s3wall", 1), r.bucket("s3wall")
	cfg := sinkConfig(topic, bucket, "json.JsonFormat", "flush.size", "100000", "rotate.interval.ms", "3600000")
	mk := func(i int) *kgo.Record { return sinktest.Order(i, 0, time.Second) }
	steps := []struct {
		at       time.Duration
		produce  int   // records produced before the invocation
		objects  int   // files in the bucket after it
		commited int64 // group offset after it
	}{
		{at: 0, produce: 3, objects: 0, commited: 0},
		{at: 40 * time.Minute, produce: 2, objects: 0, commited: 0},
		{at: 61 * time.Minute, produce: 2, objects: 1, commited: 5},
	}
	n := 0
	for i, s := range steps {
		clock.Store(t0.Add(s.at).UnixMilli())
		r.Produce(topic, 1, n, s.produce, mk)
		n += s.produce
		r.Drain("wall-"+topic, cfg)
		objs := r.objects(bucket, "topics/")
		if len(objs) != s.objects {
			t.Fatalf("step %d (t0+%s): objects %v, want %d", i, s.at, objs, s.objects)
		}
		if c := r.Committed("wall-"+topic, topic)[0]; c != s.commited {
			t.Fatalf("step %d: committed %d, want %d", i, c, s.commited)
		}
	}
	objs := r.objects(bucket, "topics/")
	if want := fmt.Sprintf("topics/%s/partition=0/%s+0+%010d.json", topic, topic, 0); objs[0] != want {
		t.Errorf("object %s, want %s", objs[0], want)
	}
	if lines := bytes.Count(r.get(bucket, objs[0]), []byte("\n")); lines != 5 {
		t.Errorf("rotated file holds %d records, want the 5 that arrived within the hour", lines)
	}
}
