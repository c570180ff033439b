//go:build integration

package nats_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ferrynats "github.com/ferryhq/ferry/connectors/nats"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/nats-io/nats-server/v2/server"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rig is one test's Kafka, private JetStream server and handler.
type rig struct {
	*sinktest.Rig
	ns   *server.Server
	opts *server.Options
	url  string
	nc   *natsio.Conn
	js   jetstream.JetStream
}

// newRig starts a private nats-server with JetStream (the stack's carries
// other engineers' invocations) on a free port.
func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{Rig: sinktest.New(t, "nats-test", ferrynats.Source(), ferrynats.Sink()),
		opts: &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true, JetStream: true, StoreDir: t.TempDir()}}
	r.start()
	r.opts.Port = r.ns.Addr().(*net.TCPAddr).Port
	r.url = r.ns.ClientURL()
	t.Cleanup(func() { r.stop() })
	return r
}

// start runs the server (again, on the same port and store after stop) and connects the test's client.
func (r *rig) start() {
	ns, err := server.NewServer(r.opts)
	if err != nil {
		r.T.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		r.T.Fatal("nats-server did not start")
	}
	r.ns = ns
	if r.nc, err = natsio.Connect(ns.ClientURL()); err != nil {
		r.T.Fatal(err)
	}
	if r.js, err = jetstream.New(r.nc); err != nil {
		r.T.Fatal(err)
	}
}

func (r *rig) stop() {
	if r.nc != nil {
		r.nc.Close()
	}
	r.ns.Shutdown()
	r.ns.WaitForShutdown()
}

func (r *rig) stream(name string, cfg jetstream.StreamConfig) jetstream.Stream {
	cfg.Name = name
	s, err := r.js.CreateStream(context.Background(), cfg)
	if err != nil {
		r.T.Fatal(err)
	}
	return s
}

func (r *rig) config(class string, kv ...string) map[string]string {
	cfg := map[string]string{"connector.class": class, "nats.url": r.url,
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter"}
	for i := 0; i+1 < len(kv); i += 2 {
		cfg[kv[i]] = kv[i+1]
	}
	return cfg
}

// messages reads every message of stream in order.
func (r *rig) messages(stream string, want int) []jetstream.Msg {
	ctx := context.Background()
	c, err := r.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		r.T.Fatal(err)
	}
	var out []jetstream.Msg
	for len(out) < want {
		b, err := c.Fetch(min(want-len(out), 5000), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			r.T.Fatal(err)
		}
		n := len(out)
		for m := range b.Messages() {
			out = append(out, m)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

func read(results []functions.Result) (n int64) {
	for _, res := range results {
		n += res.Read
	}
	return n
}

func kv(i int) *kgo.Record {
	return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(fmt.Sprintf("value %d", i))}
}

// 100,000 records become 100,000 JetStream messages with the values,
// Kafka-Key and Nats-Msg-Id; a second connector re-reading the topic from
// the start (a retry of everything) adds none: de-duplicated by Nats-Msg-Id.
func TestNatsSink100kJetStreamDeduplicated(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-sink", 2)
	r.stream("SINK", jetstream.StreamConfig{Subjects: []string{"kafka.>"}, Duplicates: 5 * time.Minute})
	r.Produce(topic, 2, 0, 100000, kv)
	cfg := r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", "kafka.${topic}", "nats.stream", "SINK")
	start := time.Now()
	if n := read(r.Drain("sink-"+topic, cfg)); n != 100000 {
		t.Fatalf("read %d, want 100000", n)
	}
	t.Logf("100000 records in %v", time.Since(start))
	if n := read(r.Drain("again-"+topic, cfg)); n != 100000 {
		t.Fatalf("second connector read %d, want 100000", n)
	}
	info, err := r.js.Stream(context.Background(), "SINK")
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 100000 {
		t.Fatalf("stream has %d messages, want 100000 (duplicates not removed)", n)
	}
	seen := map[string]bool{}
	for _, m := range r.messages("SINK", 100000) {
		k := m.Headers().Get(ferrynats.KeyHeader)
		i, _ := strconv.Atoi(strings.TrimPrefix(k, "k"))
		id := fmt.Sprintf("%s-%d-%d", topic, i%2, i/2)
		if string(m.Data()) != fmt.Sprintf("value %d", i) || m.Subject() != "kafka."+topic || m.Headers().Get("Nats-Msg-Id") != id || seen[k] {
			t.Fatalf("message %s %q %v, want value %d with id %s once", m.Subject(), m.Data(), m.Headers(), i, id)
		}
		seen[k] = true
	}
	if len(seen) != 100000 {
		t.Fatalf("%d distinct keys", len(seen))
	}
}

// A message the stream refuses (larger than its max_msg_size) fails the
// invocation with errors.tolerance=none and goes to the dead-letter queue
// with all; the others are stored.
func TestNatsSinkRefusedToDLQ(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-refused", 1)
	r.stream("SMALL", jetstream.StreamConfig{Subjects: []string{"small"}, MaxMsgSize: 512})
	r.Produce(topic, 1, 0, 10, func(i int) *kgo.Record {
		if i == 4 {
			return &kgo.Record{Key: []byte("big"), Value: []byte(strings.Repeat("x", 2000))}
		}
		return kv(i)
	})
	cfg := r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", "small", "nats.stream", "SMALL")
	res, err := r.H.Handle(context.Background(), r.Invocation("strict-"+topic, cfg))
	if err == nil || res.State != functions.StateFailed {
		t.Fatalf("state %s, %v; want FAILED", res.State, err)
	}
	dlq := topic + "-dlq"
	cfg["errors.tolerance"], cfg["errors.deadletterqueue.topic.name"] = "all", dlq
	cfg["errors.deadletterqueue.topic.replication.factor"], cfg["errors.deadletterqueue.context.headers.enable"] = "1", "true"
	r.Drain("tolerant-"+topic, cfg)
	got := r.Consume(dlq, 1)
	if string(got[0].Key) != "big" || !strings.Contains(sinktest.Header(got[0], "__connect.errors.exception.message"), "maximum") {
		t.Fatalf("dead-letter record %s %v", got[0].Key, got[0].Headers)
	}
	info, _ := r.js.Stream(context.Background(), "SMALL")
	if n := info.CachedInfo().State.Msgs; n != 9 {
		t.Fatalf("stream has %d messages, want 9", n)
	}
}

// Core NATS publishing reaches a subscriber; with the server down the
// invocation is RETRYING, and after the restart the records are delivered.
func TestNatsSinkCoreServerDown(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-core", 1)
	r.Produce(topic, 1, 0, 1000, kv)
	cfg := r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", "core.${topic}")
	r.stop()
	res, _ := r.H.Handle(context.Background(), r.Invocation("core-"+topic, cfg))
	if res.State != functions.StateRetrying || !strings.Contains(res.Trace, "cannot reach nats") {
		t.Fatalf("state %s (%s), want RETRYING naming the server", res.State, res.Trace)
	}
	r.start()
	sub, err := r.nc.SubscribeSync("core." + topic)
	if err != nil {
		t.Fatal(err)
	}
	r.nc.Flush()
	r.Drain("core-"+topic, cfg)
	for i := range 1000 {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil || string(m.Data) != fmt.Sprintf("value %d", i) {
			t.Fatalf("message %d: %v %v", i, m, err)
		}
	}
}

// 100,000 stream messages become 100,000 records in order (key the subject,
// value the payload, headers); 500 more are exactly the next run's records;
// messages fetched by an invocation that never committed (the consumer
// ahead of the offsets) are not skipped: the consumer is recreated at the
// committed sequence.
func TestNatsSource100kJetStreamResumes(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-source", 1)
	r.stream("SRC", jetstream.StreamConfig{Subjects: []string{"src.>"}})
	publish := func(from, n int) {
		ctx := context.Background()
		for i := from; i < from+n; i++ {
			m := natsio.NewMsg("src." + strconv.Itoa(i%3))
			m.Data = []byte(fmt.Sprintf("payload %d", i))
			m.Header.Set("Seq", strconv.Itoa(i))
			if _, err := r.js.PublishMsgAsync(m); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-r.js.PublishAsyncComplete():
		case <-ctx.Done():
		}
	}
	publish(0, 100000)
	cfg := r.config(ferrynats.SourceClass, "topic", topic, "nats.stream", "SRC", "nats.durable", "ferry_src", "nats.batch.size", "5000", "nats.poll.wait.ms", "200")
	start := time.Now()
	if n := read(r.Drain("source-"+topic, cfg)); n != 100000 {
		t.Fatalf("read %d, want 100000", n)
	}
	t.Logf("100000 messages in %v", time.Since(start))
	publish(100000, 500)
	if n := read(r.Drain("source-"+topic, cfg)); n != 500 {
		t.Fatalf("second run read %d, want 500", n)
	}
	// an invocation that fetched 300 and died before committing
	publish(100500, 300)
	cons, err := r.js.Consumer(context.Background(), "SRC", "ferry_src")
	if err != nil {
		t.Fatal(err)
	}
	b, err := cons.Fetch(300, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range b.Messages() {
	}
	if n := read(r.Drain("source-"+topic, cfg)); n != 300 {
		t.Fatalf("run after the lost invocation read %d, want 300", n)
	}
	recs := r.Consume(topic, 100800)
	for i, rec := range recs {
		if string(rec.Key) != "src."+strconv.Itoa(i%3) || string(rec.Value) != fmt.Sprintf("payload %d", i) || sinktest.Header(rec, "Seq") != strconv.Itoa(i) {
			t.Fatalf("record %d: %s %s %v", i, rec.Key, rec.Value, rec.Headers)
		}
	}
	info, err := cons.Info(context.Background())
	if err != nil || info.AckFloor.Stream != 100800 {
		t.Fatalf("consumer %+v, %v; want acknowledged up to 100800", info.AckFloor, err)
	}
}

// Core NATS: messages published while an invocation is subscribed become
// records; the invocation ends at the first empty poll.
func TestNatsSourceCore(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-core-src", 1)
	cfg := r.config(ferrynats.SourceClass, "topic", topic, "nats.subject", "live.*", "nats.poll.wait.ms", "3000")
	subs := r.ns.NumSubscriptions()
	var res functions.Result
	var err error
	var wg sync.WaitGroup
	wg.Go(func() { res, err = r.H.Handle(context.Background(), r.Invocation("core-src-"+topic, cfg)) })
	for deadline := time.Now().Add(10 * time.Second); r.ns.NumSubscriptions() == subs; {
		if time.Now().After(deadline) {
			t.Fatal("the invocation never subscribed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range 1000 {
		r.nc.Publish("live."+strconv.Itoa(i%2), []byte(strconv.Itoa(i)))
	}
	r.nc.Flush()
	wg.Wait()
	if err != nil || res.Read != 1000 {
		t.Fatalf("read %d, %v (%s); want 1000", res.Read, err, res.Trace)
	}
	for i, rec := range r.Consume(topic, 1000) {
		if string(rec.Value) != strconv.Itoa(i) || string(rec.Key) != "live."+strconv.Itoa(i%2) {
			t.Fatalf("record %d: %s %s", i, rec.Key, rec.Value)
		}
	}
}

// The server stopped between two runs: the source is RETRYING naming it;
// restarted (same store), the next run reads exactly the new messages.
func TestNatsSourceServerDown(t *testing.T) {
	r := newRig(t)
	topic := r.Topic("nats-src-down", 1)
	r.stream("DOWN", jetstream.StreamConfig{Subjects: []string{"down"}, Storage: jetstream.FileStorage})
	publish := func(from, n int) {
		for i := from; i < from+n; i++ {
			if _, err := r.js.Publish(context.Background(), "down", []byte(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg := r.config(ferrynats.SourceClass, "topic", topic, "nats.stream", "DOWN", "nats.poll.wait.ms", "200")
	publish(0, 1000)
	if n := read(r.Drain("down-"+topic, cfg)); n != 1000 {
		t.Fatalf("read %d, want 1000", n)
	}
	r.stop()
	res, _ := r.H.Handle(context.Background(), r.Invocation("down-"+topic, cfg))
	if res.State != functions.StateRetrying || !strings.Contains(res.Trace, "cannot reach nats") {
		t.Fatalf("state %s (%s), want RETRYING naming the server", res.State, res.Trace)
	}
	r.start()
	publish(1000, 500)
	if n := read(r.Drain("down-"+topic, cfg)); n != 500 {
		t.Fatalf("run after the restart read %d, want 500", n)
	}
	for i, rec := range r.Consume(topic, 1500) {
		if string(rec.Value) != strconv.Itoa(i) {
			t.Fatalf("record %d = %s", i, rec.Value)
		}
	}
}
