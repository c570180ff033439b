//go:build integration

package functions_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestWarmConsumerTopicRecreated: a sink task's warm consumer holds records
// it fetched past its last invocation; the topic is then deleted and
// re-created under the same name (a new topic ID) with other records, and
// the group's offset is set to exactly where the warm consumer stands. The
// next invocation must read the new topic's records, never the old topic's
// records the warm consumer still holds.
func TestWarmConsumerTopicRecreated(t *testing.T) {
	ctx := context.Background()
	store := redisStore(t)
	adm := kadm.NewClient(kafkaClient(t))
	name := fmt.Sprintf("warm-recreate-%d", time.Now().UnixNano()%1e9)
	topic := name
	const n, batch = 30, 10
	createTopic(t, adm, topic)
	produceIDs(t, topic, 0, n)

	sink := &collectingSink{}
	cc := &clientCounter{}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(append(builtin.Plugins(), sinkPlugin(sink))...),
		Store: store, Seeds: seeds(t), InstanceID: name, KafkaOpts: []kgo.Opt{kgo.WithHooks(cc)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	invoke := func() functions.Result {
		t.Helper()
		epoch, err := store.NextEpoch(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		inv := sinkInvocation(name, topic, epoch, map[string]string{"consumer.override.max.poll.records": "5"})
		inv.MaxRecords = batch
		res, err := h.Handle(ctx, inv)
		if err != nil {
			t.Fatalf("invocation: %v (%+v)", err, res)
		}
		return res
	}

	if res := invoke(); res.Written != batch {
		t.Fatalf("first invocation wrote %d, want %d", res.Written, batch)
	}
	// True by construction or the test fails: the warm consumer fetched
	// past what the invocation wrote.
	if got := cc.fetched.Load(); got <= batch {
		t.Fatalf("the consumer fetched %d records, want more than %d buffered past the first invocation", got, batch)
	}

	recreateTopic(t, adm, topic)
	produceIDs(t, topic, 1000, n)
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: batch, LeaderEpoch: -1})
	if _, err := adm.CommitOffsets(ctx, functions.GroupID(name), offs); err != nil {
		t.Fatal(err)
	}

	if res := invoke(); res.Written != batch {
		t.Fatalf("second invocation wrote %d, want %d", res.Written, batch)
	}
	want := append(ids(0, batch), ids(1000+batch, 1000+2*batch)...)
	if got := sink.snapshot(); !slices.Equal(got, want) {
		t.Errorf("sink got %v\nwant %v (the second invocation must read the re-created topic)", got, want)
	}
}

// createTopic creates a one-partition topic.
func createTopic(t *testing.T, adm *kadm.Client, topic string) {
	t.Helper()
	if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
		t.Fatalf("creating %s: %v", topic, err)
	}
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), topic) })
}

// recreateTopic deletes topic and creates it again under the same name (a
// new topic ID), polling with a deadline while the broker finishes the
// deletion.
func recreateTopic(t *testing.T, adm *kadm.Client, topic string) {
	t.Helper()
	ctx := context.Background()
	before, err := adm.ListTopics(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.DeleteTopic(ctx, topic); err != nil {
		t.Fatalf("deleting %s: %v", topic, err)
	}
	// The broker deletes asynchronously: create until it is accepted.
	var created kadm.CreateTopicResponse
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if created, err = adm.CreateTopic(ctx, 1, 1, nil, topic); err == nil {
			break
		}
		if !errors.Is(err, kerr.TopicAlreadyExists) || time.Now().After(deadline) {
			t.Fatalf("re-creating %s: %v", topic, err)
		}
	}
	if created.ID == before[topic].ID {
		t.Fatalf("%s re-created with its old ID %v", topic, created.ID)
	}
}

// produceIDs writes records with ids from..from+n-1 to topic.
func produceIDs(t *testing.T, topic string, from, n int) {
	t.Helper()
	cl := kafkaClient(t, kgo.DefaultProduceTopic(topic))
	var recs []*kgo.Record
	for i := from; i < from+n; i++ {
		recs = append(recs, &kgo.Record{Value: []byte(good(i, ""))})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatalf("producing to %s: %v", topic, err)
	}
}
