package functions

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// maxPooledProducers bounds the producers kept for connectors with
// producer.override.* keys; past it each invocation gets its own.
const maxPooledProducers = 32

// kafkaClients are the handler's Kafka clients, built from the worker's
// Kafka keys (kafkaclient): the pooled producer, the admin client, and
// producers for connectors with producer overrides.
type kafkaClients struct {
	cfg      *kafkaclient.Config
	seeds    []string
	extra    []kgo.Opt
	producer *kgo.Client

	// The admin client is built on first use (admin): a source invocation
	// needs it only to create topics, and each franz-go client costs a
	// Lambda cold start its version tables (kversion.Stable, about a tenth
	// of a single-connector function's CPU before its first invocation).
	adminOnce sync.Once
	adminCl   *kgo.Client
	adm       *kadm.Client
	adminErr  error

	mu        sync.Mutex
	overrides map[string]*kgo.Client
	// checked holds the clients that reached the cluster once.
	checked sync.Map
	// topics remembers, by connector and topic, topics known to exist.
	topics sync.Map
	// consumers are the sink consumers kept between invocations.
	consumers consumerPool
}

// producerDefaults are ferry's producer settings before the worker's and the
// connector's keys. At most 4,096 records wait for Kafka at once: a source
// polls faster than Kafka acknowledges, so the bound is what an invocation
// holds in memory (65,536, then 8,192 before; producer.buffer.memory bounds
// the bytes as well; make bench-kc's peak 3 MiB lower at 4,096, same CPU). A batch is at most 256 KiB (batch.size; Kafka's default is 16 KiB):
// each request in flight is held encoded and compressed until acknowledged,
// and 1 MiB batches made make bench-kc's peak 8 MiB higher for the same CPU
// (datagen -> Kafka in BenchmarkJSONPassthrough: the same records per CPU-second).
func producerDefaults() []kgo.Opt {
	return []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(2 * time.Millisecond),
		kgo.ProducerBatchMaxBytes(256 << 10),
		kgo.MaxBufferedRecords(1 << 12),
		kgo.AllowAutoTopicCreation(),
	}
}

func newKafkaClients(o Options) (*kafkaClients, error) {
	cfg, err := kafkaclient.New(o.Kafka)
	if err != nil {
		return nil, fmt.Errorf("worker Kafka client config: %w", err)
	}
	k := &kafkaClients{cfg: cfg, seeds: o.Seeds, extra: o.KafkaOpts, overrides: map[string]*kgo.Client{}}
	if k.producer, err = k.client(kafkaclient.Producer, nil, producerDefaults()...); err != nil {
		return nil, err
	}
	if _, _, err = k.opts(kafkaclient.Admin, nil); err != nil { // the admin keys fail the start, not the first use
		k.producer.Close()
		return nil, err
	}
	return k, nil
}

// admin is the pooled admin client, built on the first call; the raw client
// is for requests kadm does not wrap.
func (k *kafkaClients) admin() (*kadm.Client, *kgo.Client, error) {
	k.adminOnce.Do(func() {
		if k.adminCl, k.adminErr = k.client(kafkaclient.Admin, nil); k.adminErr == nil {
			k.adm = kadm.NewClient(k.adminCl)
		}
	})
	return k.adm, k.adminCl, k.adminErr
}

// opts are the options of one client: seeds, ferry's defaults, the worker's
// keys for role, the connector's overrides, then the handler's extra options.
func (k *kafkaClients) opts(role kafkaclient.Role, connector map[string]string, defaults ...kgo.Opt) ([]kgo.Opt, kafkaclient.Client, error) {
	c, err := k.cfg.Client(role, connector)
	if err != nil {
		return nil, c, fmt.Errorf("%w: %w", ErrInvocation, err)
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(k.seeds...)}, defaults...)
	opts = append(opts, c.Opts...)
	return append(opts, k.extra...), c, nil
}

func (k *kafkaClients) client(role kafkaclient.Role, connector map[string]string, defaults ...kgo.Opt) (*kgo.Client, error) {
	opts, _, err := k.opts(role, connector, defaults...)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka %s client for %v: %w", role, k.seeds, err)
	}
	return cl, nil
}

// securityOpts are the seeds, TLS and SASL options of role, for clients
// that set their own fetch and isolation options (the offsets topic reader).
func (k *kafkaClients) securityOpts(role kafkaclient.Role) ([]kgo.Opt, error) {
	keys, err := k.cfg.Keys(role, nil)
	if err != nil {
		return nil, err
	}
	sec, err := kafkaclient.Security(keys)
	if err != nil {
		return nil, err
	}
	return append(sec, k.extra...), nil
}

// connectorProducer, the source's and the dead-letter queue's, is the pooled
// producer, or for a connector with producer.override.* keys a producer of
// its own, pooled by those overrides; release is called when the invocation
// is done with it.
func (k *kafkaClients) connectorProducer(cfg map[string]string) (cl *kgo.Client, release func(), err error) {
	key := overrideKey(cfg, "producer.override.")
	if key == "" {
		return k.producer, func() {}, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if cl, ok := k.overrides[key]; ok {
		return cl, func() {}, nil
	}
	if cl, err = k.client(kafkaclient.Producer, cfg, producerDefaults()...); err != nil {
		return nil, nil, err
	}
	if len(k.overrides) >= maxPooledProducers {
		return cl, cl.Close, nil
	}
	k.overrides[key] = cl
	return cl, func() {}, nil
}

// probeTimeout bounds the first request of a client.
const probeTimeout = 10 * time.Second

// check makes one metadata request through cl the first time it is used, so
// a refused login, an untrusted certificate or an unreachable token endpoint
// fails the invocation at once instead of leaving records buffered until its
// deadline. Refusals are permanent (kafkaclient.IsPermanent); the rest retriable.
func (k *kafkaClients) check(ctx context.Context, cl *kgo.Client) error {
	if _, ok := k.checked.Load(cl); ok {
		return nil
	}
	if err := k.probe(ctx, cl); err != nil {
		return err
	}
	k.checked.Store(cl, true)
	return nil
}

// probe is check without remembering the client (per-invocation clients).
func (k *kafkaClients) probe(ctx context.Context, cl *kgo.Client) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if _, err := kadm.NewClient(cl).BrokerMetadata(ctx); err != nil {
		err = fmt.Errorf("connecting to Kafka at %v: %w", k.seeds, err)
		if kafkaclient.IsPermanent(err) {
			return err
		}
		return connectors.Retriable(err)
	}
	return nil
}

// overrideKey is the sorted prefix keys and values of cfg, "" when none.
func overrideKey(cfg map[string]string, prefix string) string {
	var parts []string
	for k, v := range cfg {
		if strings.HasPrefix(k, prefix) {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// ensureTopic creates a source record's topic before it is produced when the
// connector sets topic.creation.* (KIP-158) and the worker allows it.
func (k *kafkaClients) ensureTopic(ctx context.Context, inv Invocation, topic string) error {
	key := inv.Connector + "\x00" + topic
	if _, ok := k.topics.Load(key); ok {
		return nil
	}
	tc, err := kafkaclient.ParseTopicCreation(k.cfg.TopicCreationEnabled(), inv.Config)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvocation, err)
	}
	if tc != nil {
		adm, _, err := k.admin()
		if err != nil {
			return err
		}
		if err := kafkaclient.CreateTopic(ctx, adm, topic, tc.Spec(topic)); err != nil {
			return err
		}
	}
	k.topics.Store(key, true)
	return nil
}

// offsetReset is a sink's auto.offset.reset, lower-cased: the connector's
// consumer.override. key, else the worker's consumer. key, else earliest
// (Kafka Connect's sink default).
func (k *kafkaClients) offsetReset(cfg map[string]string) string {
	keys, err := k.cfg.Keys(kafkaclient.Consumer, cfg)
	if err != nil || keys["auto.offset.reset"] == "" {
		return "earliest"
	}
	return strings.ToLower(strings.TrimSpace(keys["auto.offset.reset"]))
}

func (k *kafkaClients) close() {
	k.consumers.close()
	k.mu.Lock()
	for _, cl := range k.overrides {
		cl.Close()
	}
	k.mu.Unlock()
	k.adminOnce.Do(func() { k.adminErr = errors.New("kafka admin client: the handler is closed") }) // none is built after close
	if k.adminCl != nil {
		k.adminCl.Close()
	}
	k.producer.Close()
}
