package kafkaclient

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// clientKey maps one Kafka client key onto franz-go.
type clientKey struct {
	// roles are the client roles the key applies to.
	roles []Role
	// apply turns the value into options (and Client fields); it fails on a bad value.
	apply func(v string, cl *Client) ([]kgo.Opt, error)
}

var (
	all      = []Role{Producer, Consumer, Admin}
	producer = []Role{Producer}
	consumer = []Role{Consumer}
)

// clientKeys are the Kafka client keys franz-go honours. Security keys
// (security.protocol, ssl.*, sasl.*) and bootstrap.servers are read by
// Security and build.
var clientKeys = map[string]clientKey{
	"acks":                                  {producer, acks},
	"linger.ms":                             {producer, ms(func(d time.Duration) kgo.Opt { return kgo.ProducerLinger(d) })},
	"batch.size":                            {producer, positive(func(n int) kgo.Opt { return kgo.ProducerBatchMaxBytes(int32(n)) })},
	"max.request.size":                      {producer, positive(func(n int) kgo.Opt { return kgo.BrokerMaxWriteBytes(int32(n)) })},
	"buffer.memory":                         {producer, positive(func(n int) kgo.Opt { return kgo.MaxBufferedBytes(n) })},
	"compression.type":                      {producer, compression},
	"enable.idempotence":                    {producer, idempotence},
	"max.in.flight.requests.per.connection": {producer, positive(func(n int) kgo.Opt { return kgo.MaxProduceRequestsInflightPerBroker(n) })},
	"delivery.timeout.ms":                   {producer, ms(func(d time.Duration) kgo.Opt { return kgo.RecordDeliveryTimeout(d) })},
	"retries":                               {producer, positive(func(n int) kgo.Opt { return kgo.RecordRetries(n) })},
	"transaction.timeout.ms":                {producer, ms(func(d time.Duration) kgo.Opt { return kgo.TransactionTimeout(d) })},
	"request.timeout.ms":                    {all, requestTimeout},
	"client.id":                             {all, func(v string, _ *Client) ([]kgo.Opt, error) { return []kgo.Opt{kgo.ClientID(v)}, nil }},
	"metadata.max.age.ms":                   {all, ms(func(d time.Duration) kgo.Opt { return kgo.MetadataMaxAge(d) })},
	"connections.max.idle.ms":               {all, ms(func(d time.Duration) kgo.Opt { return kgo.ConnIdleTimeout(d) })},
	"socket.connection.setup.timeout.ms":    {all, ms(func(d time.Duration) kgo.Opt { return kgo.DialTimeout(d) })},
	"retry.backoff.ms": {all, ms(func(d time.Duration) kgo.Opt {
		return kgo.RetryBackoffFn(func(int) time.Duration { return d })
	})},
	"fetch.min.bytes":           {consumer, positive(func(n int) kgo.Opt { return kgo.FetchMinBytes(int32(n)) })},
	"fetch.max.bytes":           {consumer, positive(func(n int) kgo.Opt { return kgo.FetchMaxBytes(int32(n)) })},
	"max.partition.fetch.bytes": {consumer, positive(func(n int) kgo.Opt { return kgo.FetchMaxPartitionBytes(int32(n)) })},
	"fetch.max.wait.ms":         {consumer, ms(func(d time.Duration) kgo.Opt { return kgo.FetchMaxWait(d) })},
	"max.poll.records":          {consumer, maxPoll},
	"isolation.level":           {consumer, isolation},
	"auto.offset.reset":         {consumer, offsetReset},
	// group.id is read by the sink (the group it commits to), not by the client.
	"group.id": {consumer, func(string, *Client) ([]kgo.Opt, error) { return nil, nil }},
}

// unhonoured says why a known Kafka client key has no effect in ferry.
var unhonoured = map[string]string{
	"partitioner.class":             "ferry partitions by key hash as Kafka's default partitioner does; other Java partitioners cannot load",
	"interceptor.classes":           "Java interceptors cannot load in ferry",
	"metric.reporters":              "Java metric reporters cannot load in ferry",
	"key.serializer":                "the connector's converters produce the bytes",
	"value.serializer":              "the connector's converters produce the bytes",
	"key.deserializer":              "the connector's converters read the bytes",
	"value.deserializer":            "the connector's converters read the bytes",
	"transactional.id":              "ferry names transactional ids per task (exactly.once.support)",
	"enable.auto.commit":            "ferry commits sink offsets itself after each write",
	"auto.commit.interval.ms":       "ferry commits sink offsets itself after each write",
	"session.timeout.ms":            "ferry's sink functions assign partitions explicitly, without group membership",
	"heartbeat.interval.ms":         "ferry's sink functions assign partitions explicitly, without group membership",
	"max.poll.interval.ms":          "ferry's sink functions assign partitions explicitly, without group membership",
	"partition.assignment.strategy": "ferry's sink functions assign partitions explicitly, without group membership",
	"group.instance.id":             "ferry's sink functions assign partitions explicitly, without group membership",
}

// mapKeys applies the non-security keys of role; a key franz-go cannot honour
// is ignored here and reported by Problems.
func mapKeys(role Role, keys map[string]string, cl *Client) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	for _, k := range sortedKeys(keys) {
		ck, ok := clientKeys[k]
		if !ok || !hasRole(ck.roles, role) {
			continue
		}
		o, err := ck.apply(strings.TrimSpace(keys[k]), cl)
		if err != nil {
			return nil, keyErr(string(role)+"."+k, keys[k], err.Error())
		}
		opts = append(opts, o...)
	}
	return opts, nil
}

func hasRole(roles []Role, r Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func positive(f func(int) kgo.Opt) func(string, *Client) ([]kgo.Opt, error) {
	return func(v string, _ *Client) ([]kgo.Opt, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1<<31-1 {
			return nil, fmt.Errorf("is not a positive integer")
		}
		return []kgo.Opt{f(n)}, nil
	}
}

func ms(f func(time.Duration) kgo.Opt) func(string, *Client) ([]kgo.Opt, error) {
	return func(v string, _ *Client) ([]kgo.Opt, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("is not a number of milliseconds")
		}
		return []kgo.Opt{f(time.Duration(n) * time.Millisecond)}, nil
	}
}

func acks(v string, _ *Client) ([]kgo.Opt, error) {
	switch strings.ToLower(v) {
	case "all", "-1":
		return []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks())}, nil
	case "1":
		return []kgo.Opt{kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite()}, nil
	case "0":
		return []kgo.Opt{kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite()}, nil
	}
	return nil, fmt.Errorf("want all, -1, 1 or 0")
}

func idempotence(v string, _ *Client) ([]kgo.Opt, error) {
	switch strings.ToLower(v) {
	case "true":
		return nil, nil
	case "false":
		return []kgo.Opt{kgo.DisableIdempotentWrite()}, nil
	}
	return nil, fmt.Errorf("want true or false")
}

func compression(v string, _ *Client) ([]kgo.Opt, error) {
	codecs := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(),
		"snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}
	c, ok := codecs[strings.ToLower(v)]
	if !ok {
		return nil, fmt.Errorf("want none, gzip, snappy, lz4 or zstd")
	}
	return []kgo.Opt{kgo.ProducerBatchCompression(c)}, nil
}

// requestTimeout is how long the client waits for an answer; producers also
// send it to the broker as the produce request's timeout, as Kafka's producer does.
func requestTimeout(v string, cl *Client) ([]kgo.Opt, error) {
	o, err := ms(func(d time.Duration) kgo.Opt { return kgo.RequestTimeoutOverhead(d) })(v, cl)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(v)
	return append(o, kgo.ProduceRequestTimeout(time.Duration(n)*time.Millisecond)), nil
}

func maxPoll(v string, cl *Client) ([]kgo.Opt, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("is not a positive integer")
	}
	cl.MaxPollRecords = n
	return nil, nil
}

func isolation(v string, _ *Client) ([]kgo.Opt, error) {
	switch strings.ToLower(v) {
	case "read_uncommitted":
		return []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadUncommitted())}, nil
	case "read_committed":
		return []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, nil
	}
	return nil, fmt.Errorf("want read_uncommitted or read_committed")
}

func offsetReset(v string, _ *Client) ([]kgo.Opt, error) {
	switch strings.ToLower(v) {
	case "earliest":
		return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, nil
	case "latest":
		return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd())}, nil
	case "none":
		return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NoResetOffset())}, nil
	}
	return nil, fmt.Errorf("want earliest, latest or none")
}
