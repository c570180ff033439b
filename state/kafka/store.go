package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Store is a state.Store kept in Kafka alone, in Kafka Connect's three
// internal topics and its own fourth one (see the package doc). Every read
// catches up with the topics first, so it sees every write acknowledged
// before it, by any process.
type Store struct {
	o      Options
	view   *view
	tail   *tailer
	plain  *kgo.Client // statuses: not transactional
	locks  sync.Map    // transactional id -> *sync.Mutex: one transaction per id in this process
	leases *leases
}

var _ state.Store = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// Seeds are the bootstrap servers; ClientOpts add TLS, SASL, ... .
	Seeds      []string
	ClientOpts []kgo.Opt
	// GroupID is the worker's group.id: it names the store's transactional
	// ids and the schedulers' election group ("ferry" when empty).
	GroupID string
	Topics  Topics
	// Logger receives skipped records and topic warnings (slog.Default when nil).
	Logger *slog.Logger
	// TransactionTimeout bounds how long a killed writer's open transaction
	// holds back readers (10s when zero).
	TransactionTimeout time.Duration
}

func (o Options) clientOpts(extra ...kgo.Opt) []kgo.Opt {
	return append(append([]kgo.Opt{kgo.SeedBrokers(o.Seeds...)}, o.ClientOpts...), extra...)
}

// Open creates the missing topics (refusing existing ones with the wrong
// settings), starts reading them, and returns once it has caught up.
func Open(ctx context.Context, o Options) (*Store, error) {
	if len(o.Seeds) == 0 {
		return nil, fmt.Errorf("kafka state store needs bootstrap.servers")
	}
	if o.GroupID == "" {
		o.GroupID = "ferry"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.TransactionTimeout == 0 {
		o.TransactionTimeout = 10 * time.Second
	}
	o.Topics = o.Topics.withDefaults()
	if err := ensureTopics(ctx, o); err != nil {
		return nil, err
	}
	plain, err := kgo.NewClient(o.clientOpts(kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0))...)
	if err != nil {
		return nil, fmt.Errorf("kafka state store client: %w", err)
	}
	s := &Store{o: o, view: newView(o.Topics, o.Logger), plain: plain}
	s.leases = newLeases(s)
	if s.tail, err = startTailer(o.clientOpts(), o.Topics.names(), s.view.apply); err != nil {
		plain.Close()
		return nil, err
	}
	if err := s.tail.catchUp(ctx, o.Topics.names()...); err != nil {
		s.Close()
		return nil, fmt.Errorf("reading the state store topics: %w", err)
	}
	return s, nil
}

// ensureTopics creates and checks the topics with a short-lived admin client.
func ensureTopics(ctx context.Context, o Options) error {
	cl, err := kgo.NewClient(o.clientOpts()...)
	if err != nil {
		return fmt.Errorf("kafka state store client: %w", err)
	}
	defer cl.Close()
	return o.Topics.ensure(ctx, kadm.NewClient(cl), o.Logger)
}

// Topics are the store's topics, defaults filled in.
func (s *Store) Topics() Topics { return s.o.Topics }

// Close stops the election, the reader and the clients.
func (s *Store) Close() error {
	s.leases.close()
	if s.tail != nil {
		s.tail.close()
	}
	s.plain.Close()
	return nil
}

// read catches up with topics, then runs fn on the view under its lock.
func (s *Store) read(ctx context.Context, fn func(v *view), topics ...string) error {
	if err := s.tail.catchUp(ctx, topics...); err != nil {
		return err
	}
	s.tail.mu.Lock()
	defer s.tail.mu.Unlock()
	fn(s.view)
	return nil
}

// retriable is a failure of Kafka itself, worth trying again.
func retriable(format string, args ...any) error {
	return state.Retriable(fmt.Errorf(format, args...))
}
