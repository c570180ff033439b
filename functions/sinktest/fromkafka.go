package sinktest

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// FromKafka is the Kafka half of a hand-written pipeline, the baseline a
// sink is measured against when both sides read from Kafka: plain franz-go
// with the sink consumers' fetch settings (200 ms fetch wait, 16 MiB
// fetches) reads partition 0 of topic from the start until it has n
// records, handing write the records in order in slices of batch (the last
// may be shorter), then calls flush (when not nil: it finishes the writes)
// and commits the offset past the last record to the consumer group
// "direct-<topic>" with one plain OffsetCommit (the sink commits its
// offsets in a transaction). The client is connected before
// the measured part starts; it returns the measured wall and CPU time.
func (r *Rig) FromKafka(topic string, n, batch int, write func(recs []*kgo.Record), flush func()) (wall, cpu time.Duration) {
	r.T.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.Seeds...), kgo.FetchMaxWait(200*time.Millisecond), kgo.FetchMaxBytes(16<<20))
	if err != nil {
		r.T.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		r.T.Fatal(err)
	}
	return Measure(func() {
		cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(0)}})
		recs, read, next := make([]*kgo.Record, 0, batch), 0, int64(0)
		for read < n && ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				r.T.Fatalf("reading %s: %v", topic, err)
			}
			fs.EachRecord(func(rec *kgo.Record) {
				if read == n {
					return
				}
				recs, read, next = append(recs, rec), read+1, rec.Offset+1
				if len(recs) == batch || read == n {
					write(recs)
					recs = recs[:0]
				}
			})
		}
		if read < n {
			r.T.Fatalf("%s: read %d records, want %d", topic, read, n)
		}
		if flush != nil {
			flush()
		}
		offs := kadm.Offsets{}
		offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: next})
		if err := kadm.NewClient(cl).CommitAllOffsets(ctx, "direct-"+topic, offs); err != nil {
			r.T.Fatalf("committing direct-%s: %v", topic, err)
		}
	})
}
