package functions

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/twmb/franz-go/pkg/kgo"
)

// maxIdleConsumers bounds the sink consumers a handler keeps between
// invocations; past it a released consumer is closed.
const maxIdleConsumers = 32

// maxWarmConsumers bounds the idle consumers kept warm (sinkConsumer.owner);
// past it a released consumer is purged. A warm consumer holds at most what
// it fetched past its task's last record (one fetch, at most
// max.partition.fetch.bytes a partition) and fetches nothing while idle.
const maxWarmConsumers = 8

// sinkConsumer is the Kafka client a sink invocation fetches with.
type sinkConsumer struct {
	cl *kgo.Client
	// key names the client's options: the connector's consumer.override.* keys, hashed.
	key string
	// fetchMax is the client's fetch.max.bytes: the most record bytes one
	// Put gathers (gather).
	fetchMax int
	// pollMax is max.poll.records as the worker or the connector set it,
	// 0 when neither did (pollSize then asks the task).
	pollMax int
	// owner is the task a warm consumer last read for and at, for each
	// partition it is assigned, the offset its client returns next; a
	// released warm consumer keeps that assignment, fetching paused, so the
	// task's next invocation starting exactly there reads on from what the
	// client already fetched instead of fetching it again. Empty and nil
	// when the consumer holds no assignment. ids are the IDs the topics of
	// at had when they were assigned: a warm consumer of a topic since
	// deleted and re-created under the same name holds the old topic's
	// records (and franz-go never adopts the new ID until the topic is
	// purged), so it resumes only while each ID is unchanged.
	owner string
	at    map[topicPartition]int64
	ids   map[string]topicID
}

// consumerPool keeps sink consumers across invocations instead of
// connecting a new client for each: connections, metadata and buffers are
// reused. An invocation takes a consumer for itself alone (two invocations
// never share one) and reads exactly its plan's partitions from the offsets
// it read from the group's commit: a warm consumer of the same task whose
// client is positioned at exactly those offsets of the same topics (same
// topic IDs) resumes there (Kafka's records at an offset of a topic never
// change, so what it fetched past them is what a new fetch would return); any other consumer first drops its assignment,
// buffered and in-flight fetches and topic metadata (purge), then is
// assigned the plan's offsets. A consumer goes back to the pool only when
// its invocation ended cleanly: warm (fetching paused) while there is room,
// else purged. The consumer of a failed or fenced invocation is closed.
type consumerPool struct {
	mu     sync.Mutex
	idle   map[string][]*sinkConsumer
	n      int
	warm   int
	closed bool
	// created counts the consumers connected (tests).
	created atomic.Int64
}

// defaultPollMax is a sink's batch when max.poll.records is not set and the
// task states no connectors.PutSizer preference. The records one poll hands
// to the task are all in hand, converted and transformed, until the put
// returns (about 1 KB each for schemaless JSON of five fields: 9.5 MB at
// 10,000, the largest part of a worker's peak heap in make bench-kc), but
// sinks that write each put in bulk (Elasticsearch's lanes of batch.size,
// JDBC's batch.size, Redis's pipeline) need it this large; Kafka's consumer
// default is 500. Sinks that write record by record ask for fewer.
const defaultPollMax = 10000

// pollSize is the records one poll hands to task: max.poll.records when the
// worker or the connector set it (set > 0), else the task's
// connectors.PutSizer preference (at most connectors.MaxPutSize), else
// defaultPollMax.
func pollSize(task connectors.SinkTask, set int) int {
	if set > 0 {
		return set
	}
	if ps, ok := task.(connectors.PutSizer); ok {
		if n := ps.PutSize(); n > 0 {
			return min(n, connectors.MaxPutSize)
		}
	}
	return defaultPollMax
}

// consumerDefaults are ferry's sink consumer settings before the worker's
// and the connector's consumer keys. A fetch takes at most 256 KiB of a
// partition (max.partition.fetch.bytes; Kafka's default is 1 MiB), or what
// the task asks for (fetchBytes above 0, connectors.FetchSizer): the client
// decodes a whole fetch at once and keeps it until the last record is
// polled, so this bounds what a sink holds besides the batch in hand.
func consumerDefaults(fetchBytes int) []kgo.Opt {
	partition := int32(256 << 10)
	if fetchBytes > 0 {
		partition = int32(fetchBytes)
	}
	return []kgo.Opt{kgo.FetchMaxWait(200 * time.Millisecond), kgo.FetchMaxBytes(16 << 20), kgo.FetchMaxPartitionBytes(partition)}
}

// fetchSize is the max.partition.fetch.bytes task asks for
// (connectors.FetchSizer, at most connectors.MaxPartitionFetchBytes), 0 when
// it asks for none: the runtime's default then.
func fetchSize(task connectors.SinkTask) int {
	if fs, ok := task.(connectors.FetchSizer); ok {
		if n := fs.PartitionFetchBytes(); n > 0 {
			return min(n, connectors.MaxPartitionFetchBytes)
		}
	}
	return 0
}

// takeConsumer returns an idle consumer for the connector's consumer keys
// and the task's fetch size (fetchBytes, 0 for the default), the one kept
// warm for owner (a task) when there is one, or connects a new one.
func (k *kafkaClients) takeConsumer(cfg map[string]string, owner string, fetchBytes int) (*sinkConsumer, error) {
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(overrideKey(cfg, "consumer.override.")+"\x00fetch="+strconv.Itoa(fetchBytes))))
	pool := &k.consumers
	pool.mu.Lock()
	if list := pool.idle[key]; len(list) > 0 {
		i := len(list) - 1
		for j, sc := range list {
			if sc.owner == owner {
				i = j
			}
		}
		sc := list[i]
		pool.idle[key] = append(list[:i], list[i+1:]...)
		pool.n--
		if sc.owner != "" {
			pool.warm--
		}
		pool.mu.Unlock()
		return sc, nil
	}
	pool.mu.Unlock()
	opts, c, err := k.opts(kafkaclient.Consumer, cfg, consumerDefaults(fetchBytes)...)
	if err != nil {
		return nil, err
	}
	// Transaction markers take offsets the sink must commit past.
	cl, err := kgo.NewClient(append(opts, kgo.KeepControlRecords())...)
	if err != nil {
		return nil, retriable("kafka consumer: %w", err)
	}
	pool.created.Add(1)
	fetchMax, _ := cl.OptValue(kgo.FetchMaxBytes).(int32)
	return &sinkConsumer{cl: cl, key: key, pollMax: c.MaxPollRecords, fetchMax: int(fetchMax)}, nil
}

// assign makes sc's client return the records of want (start offsets by
// partition) for owner, ids being the topics' current IDs: a warm consumer
// of owner positioned at exactly want in topics of the same IDs resumes
// fetching where it stopped; any other drops what it holds (purge) and is
// assigned want.
func (sc *sinkConsumer) assign(owner string, want map[topicPartition]int64, ids map[string]topicID) {
	lists := partitionLists(want)
	if sc.owner == owner && maps.Equal(sc.at, want) && sameIDs(sc.ids, ids, lists) {
		sc.cl.ResumeFetchPartitions(lists)
		return
	}
	sc.purge()
	parts := map[string]map[int32]kgo.Offset{}
	for tp, off := range want {
		if parts[tp.topic] == nil {
			parts[tp.topic] = map[int32]kgo.Offset{}
		}
		parts[tp.topic][tp.partition] = kgo.NewOffset().At(off)
	}
	sc.cl.AddConsumePartitions(parts)
	sc.owner, sc.at, sc.ids = owner, maps.Clone(want), map[string]topicID{}
	for t := range lists {
		sc.ids[t] = ids[t]
	}
}

// sameIDs reports whether each topic of lists has the same ID in had and now.
func sameIDs(had, now map[string]topicID, lists map[string][]int32) bool {
	for t := range lists {
		h, ok := had[t]
		if n, in := now[t]; !ok || !in || h != n {
			return false
		}
	}
	return true
}

// purge drops sc's assignment, its buffered and in-flight fetches and the
// topics' metadata.
func (sc *sinkConsumer) purge() {
	if len(sc.at) > 0 {
		lists := partitionLists(sc.at)
		sc.cl.ResumeFetchPartitions(lists)
		sc.cl.PurgeTopicsFromClient(slices.Collect(maps.Keys(lists))...)
	}
	sc.owner, sc.at, sc.ids = "", nil, nil
}

// partitionLists is the partitions of m by topic, as franz-go takes them.
func partitionLists(m map[topicPartition]int64) map[string][]int32 {
	out := map[string][]int32{}
	for tp := range m {
		out[tp.topic] = append(out[tp.topic], tp.partition)
	}
	return out
}

// releaseConsumer ends an invocation's use of sc. With clean set it keeps
// sc for a later invocation (room permitting): warm when next, the offsets
// the invocation read up to, are where its client stands and there is room
// for one more warm consumer, else after purging topics (the topics the
// invocation read) from the client. Otherwise it closes sc.
func (k *kafkaClients) releaseConsumer(sc *sinkConsumer, topics []string, next map[topicPartition]int64, clean bool) {
	if !clean {
		sc.cl.Close()
		return
	}
	pool := &k.consumers
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.closed || pool.n >= maxIdleConsumers {
		sc.cl.Close()
		return
	}
	if sc.owner != "" && pool.warm < maxWarmConsumers {
		for tp := range sc.at {
			sc.at[tp] = next[tp]
		}
		sc.cl.PauseFetchPartitions(partitionLists(sc.at))
		pool.warm++
	} else {
		sc.purge()
		sc.cl.PurgeTopicsFromClient(topics...)
	}
	if pool.idle == nil {
		pool.idle = map[string][]*sinkConsumer{}
	}
	pool.idle[sc.key] = append(pool.idle[sc.key], sc)
	pool.n++
}

// behind reports whether owner's warm consumer is idle in the pool and
// stands before end in one of its partitions: the task's last invocation
// on this worker read up to offsets that new records now follow. A guess
// that spares a lookup, never a start offset: the group's committed offsets
// may have moved since.
func (p *consumerPool) behind(owner string, end map[topicPartition]int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, list := range p.idle {
		for _, sc := range list {
			if sc.owner != owner {
				continue
			}
			for tp, at := range sc.at {
				if e, ok := end[tp]; ok && e > at {
					return true
				}
			}
		}
	}
	return false
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
