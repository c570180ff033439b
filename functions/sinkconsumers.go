package functions

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/twmb/franz-go/pkg/kgo"
)

// maxIdleConsumers bounds the sink consumers a handler keeps between
// invocations; past it a released consumer is closed.
const maxIdleConsumers = 32

// sinkConsumer is the Kafka client a sink invocation fetches with.
type sinkConsumer struct {
	cl *kgo.Client
	// key names the client's options: the connector's consumer.override.* keys, hashed.
	key string
	// pollMax is max.poll.records (defaultPollMax when not set).
	pollMax int
}

// consumerPool keeps sink consumers across invocations instead of
// connecting a new client for each: connections, metadata and buffers are
// reused, nothing else. An invocation takes a consumer for itself alone
// (two invocations never share one), assigns exactly its plan's partitions at
// the offsets it read from the group's commit (never a position the client
// remembers), and gives it back only when the invocation ended cleanly,
// after purging every topic it read from it: assignments, buffered and
// in-flight fetches and the topics' metadata go. The consumer of a failed or
// fenced invocation is closed, not kept.
type consumerPool struct {
	mu     sync.Mutex
	idle   map[string][]*sinkConsumer
	n      int
	closed bool
	// created counts the consumers connected (tests).
	created atomic.Int64
}

// defaultPollMax is a sink's batch when max.poll.records is not set: the
// records one poll hands to the task, converted and transformed, are all in
// hand until the put returns (about 1.5 KB each for schemaless JSON of five
// fields: 15 MB at the 10,000 ferry took before, the largest part of a
// worker's peak heap in make bench-kc). Kafka's consumer default is 500.
const defaultPollMax = 2000

// consumerDefaults are ferry's sink consumer settings before the worker's
// and the connector's consumer keys. A fetch takes at most 256 KiB of a
// partition (max.partition.fetch.bytes; Kafka's default is 1 MiB): the
// client decodes a whole fetch at once and keeps it until the last record is
// polled, so this bounds what a sink holds besides the batch in hand.
func consumerDefaults() []kgo.Opt {
	return []kgo.Opt{kgo.FetchMaxWait(200 * time.Millisecond), kgo.FetchMaxBytes(16 << 20), kgo.FetchMaxPartitionBytes(256 << 10)}
}

// takeConsumer returns an idle consumer for the connector's consumer keys,
// or connects a new one.
func (k *kafkaClients) takeConsumer(cfg map[string]string) (*sinkConsumer, error) {
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(overrideKey(cfg, "consumer.override."))))
	pool := &k.consumers
	pool.mu.Lock()
	if list := pool.idle[key]; len(list) > 0 {
		sc := list[len(list)-1]
		pool.idle[key] = list[:len(list)-1]
		pool.n--
		pool.mu.Unlock()
		return sc, nil
	}
	pool.mu.Unlock()
	opts, c, err := k.opts(kafkaclient.Consumer, cfg, consumerDefaults()...)
	if err != nil {
		return nil, err
	}
	// Transaction markers take offsets the sink must commit past.
	cl, err := kgo.NewClient(append(opts, kgo.KeepControlRecords())...)
	if err != nil {
		return nil, retriable("kafka consumer: %w", err)
	}
	pool.created.Add(1)
	sc := &sinkConsumer{cl: cl, key: key, pollMax: defaultPollMax}
	if c.MaxPollRecords > 0 {
		sc.pollMax = c.MaxPollRecords
	}
	return sc, nil
}

// releaseConsumer ends an invocation's use of sc: with clean set it purges
// topics from the client and keeps it for a later invocation (room
// permitting), otherwise it closes it.
func (k *kafkaClients) releaseConsumer(sc *sinkConsumer, topics []string, clean bool) {
	if !clean {
		sc.cl.Close()
		return
	}
	sc.cl.PurgeTopicsFromClient(topics...)
	pool := &k.consumers
	pool.mu.Lock()
	if pool.closed || pool.n >= maxIdleConsumers {
		pool.mu.Unlock()
		sc.cl.Close()
		return
	}
	if pool.idle == nil {
		pool.idle = map[string][]*sinkConsumer{}
	}
	pool.idle[sc.key] = append(pool.idle[sc.key], sc)
	pool.n++
	pool.mu.Unlock()
}

// close closes the idle consumers; consumers released later are closed too.
func (p *consumerPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, list := range p.idle {
		for _, sc := range list {
			sc.cl.Close()
		}
	}
	p.idle, p.n = nil, 0
}
