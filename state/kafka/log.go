package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// tailer reads the store's topics from their start for as long as the store
// is open, isolation.level=read_committed, and hands every record to apply:
// the in-memory view every read answers from, as Kafka Connect's
// KafkaBasedLog keeps one. Reads first catch up (catchUp): they wait until
// the tailer has passed each partition's high watermark taken at the start
// of the read, so a read sees every write acknowledged before it began,
// whichever process made it.
type tailer struct {
	cl    *kgo.Client
	adm   *kadm.Client
	apply func(*kgo.Record)

	mu       sync.Mutex
	pos      map[string]map[int32]int64 // next offset to read
	progress chan struct{}              // closed and replaced at every advance
	err      error                      // the tailer's fatal error

	stop context.CancelFunc
	done chan struct{}
}

// startTailer consumes topics with a client built from opts; its goroutine
// runs until close.
func startTailer(opts []kgo.Opt, topics []string, apply func(*kgo.Record)) (*tailer, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.FetchMaxWait(500 * time.Millisecond),
	}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka state store client: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	t := &tailer{cl: cl, adm: kadm.NewClient(cl), apply: apply, pos: map[string]map[int32]int64{},
		progress: make(chan struct{}), stop: stop, done: make(chan struct{})}
	go t.run(ctx)
	return t, nil
}

// close stops the goroutine and the client.
func (t *tailer) close() {
	t.stop()
	<-t.done
	t.cl.Close()
}

func (t *tailer) run(ctx context.Context) {
	defer close(t.done)
	for ctx.Err() == nil {
		f := t.cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		f.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				t.fail(fmt.Errorf("reading %s[%d]: %w", topic, p, err))
			}
		})
		t.mu.Lock()
		f.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				t.apply(r)
			}
			parts := t.pos[r.Topic]
			if parts == nil {
				parts = map[int32]int64{}
				t.pos[r.Topic] = parts
			}
			parts[r.Partition] = r.Offset + 1
		})
		if f.NumRecords() > 0 {
			t.err = nil
		}
		close(t.progress)
		t.progress = make(chan struct{})
		t.mu.Unlock()
	}
}

// fail records a fetch error; catchUp reports it while it lasts.
func (t *tailer) fail(err error) {
	t.mu.Lock()
	t.err = err
	t.mu.Unlock()
}

// catchUp waits until every record of topics written before the call has
// been applied. The caller holds no lock; apply runs under t.mu, so after
// catchUp returns the caller reads the view under its own lock.
func (t *tailer) catchUp(ctx context.Context, topics ...string) error {
	ends, err := t.endOffsets(ctx, topics)
	if err != nil {
		return err
	}
	for {
		t.mu.Lock()
		behind := ""
		ends.Each(func(o kadm.ListedOffset) {
			if o.Offset > 0 && t.pos[o.Topic][o.Partition] < o.Offset && behind == "" {
				behind = fmt.Sprintf("%s[%d] at %d of %d", o.Topic, o.Partition, t.pos[o.Topic][o.Partition], o.Offset)
			}
		})
		wait, ferr := t.progress, t.err
		t.mu.Unlock()
		if behind == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			if ferr != nil {
				return retriable("catching up with %s: %w", behind, ferr)
			}
			return retriable("catching up with %s: %w", behind, ctx.Err())
		case <-wait:
		}
	}
}

// endOffsets lists the high watermarks of topics, asking again while the
// broker does not know a partition yet (a topic just created).
func (t *tailer) endOffsets(ctx context.Context, topics []string) (kadm.ListedOffsets, error) {
	for attempt := 1; ; attempt++ {
		ends, err := t.adm.ListEndOffsets(ctx, topics...)
		if err == nil {
			err = ends.Error()
		}
		if err == nil {
			return ends, nil
		}
		if !errors.Is(err, kerr.UnknownTopicOrPartition) && !errors.Is(err, kerr.LeaderNotAvailable) &&
			!errors.Is(err, kerr.NotLeaderForPartition) {
			return nil, retriable("reading the end offsets of %v: %w", topics, err)
		}
		if perr := pause(ctx, attempt); perr != nil {
			return nil, retriable("reading the end offsets of %v: %w", topics, err)
		}
	}
}
