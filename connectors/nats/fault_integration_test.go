//go:build integration

package nats_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	ferrynats "github.com/ferryhq/ferry/connectors/nats"
	"github.com/ferryhq/ferry/functions/sinktest"
	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// outage is how long the fault tests keep the server down.
const outage = 30 * time.Second

// sinkFault is a Fault for the JetStream sink: record i is "value i" (kv);
// Seen counts the stream's messages per i.
func (r *rig) sinkFault(name string) *sinktest.Fault {
	topic := r.Topic(name, 1)
	r.stream("FAULT", jetstream.StreamConfig{Subjects: []string{"fault.>"}, Duplicates: 5 * time.Minute, Storage: jetstream.FileStorage})
	return &sinktest.Fault{R: r.Rig, Name: name + "-" + topic,
		Cfg:  r.config(ferrynats.SinkClass, "topics", topic, "nats.subject", "fault.${topic}", "nats.stream", "FAULT"),
		Feed: func(from, n int) error { return r.TryProduce(topic, 1, from, n, kv) },
		Seen: func() map[int]int {
			seen := map[int]int{}
			s, err := r.js.Stream(context.Background(), "FAULT")
			if err != nil {
				return seen
			}
			for _, m := range r.messages("FAULT", int(s.CachedInfo().State.Msgs)) {
				i, _ := strconv.Atoi(strings.TrimPrefix(string(m.Data()), "value "))
				seen[i]++
			}
			return seen
		}}
}

// sourceFault is a Fault for the JetStream source: message i is
// "payload i", published on a connection of its own that reconnects after
// an outage; Seen counts the topic's records per i.
func (r *rig) sourceFault(name string) *sinktest.Fault {
	topic := r.Topic(name, 1)
	r.stream("FSRC", jetstream.StreamConfig{Subjects: []string{"fsrc"}, Storage: jetstream.FileStorage})
	nc, err := natsio.Connect(r.url, natsio.MaxReconnects(-1), natsio.ReconnectWait(100*time.Millisecond))
	if err != nil {
		r.T.Fatal(err)
	}
	r.T.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		r.T.Fatal(err)
	}
	return &sinktest.Fault{R: r.Rig, Name: name + "-" + topic,
		Cfg: r.config(ferrynats.SourceClass, "topic", topic, "nats.stream", "FSRC", "nats.durable", "ferry_fault",
			"nats.batch.size", "500", "nats.poll.wait.ms", "100"),
		Feed: func(from, n int) error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			for i := from; i < from+n; i++ {
				// The message id makes a batch published again after an error count once.
				if _, err := js.Publish(ctx, "fsrc", []byte(fmt.Sprintf("payload %d", i)), jetstream.WithMsgID(strconv.Itoa(i))); err != nil {
					return err
				}
			}
			return nil
		},
		Seen: func() map[int]int {
			seen := map[int]int{}
			for _, rec := range r.ReadAll(topic) {
				i, _ := strconv.Atoi(strings.TrimPrefix(string(rec.Value), "payload "))
				seen[i]++
			}
			return seen
		}}
}

// The worker running the JetStream sink is killed (kill -9) while records
// still arrive: nothing lost, and no duplicate, since a message published
// again has the same Nats-Msg-Id and JetStream drops it.
func TestNatsSinkWorkerKilled(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { sinktest.WorkLoop(t, newRig(t).Rig) }) {
		return
	}
	r := newRig(t)
	r.sinkFault("nats-sink-kill").KillWorker(t, "kill -9 worker mid-stream: Kafka->NATS JetStream sink", 2000, true)
}

// The source's worker is killed while messages still arrive: none lost;
// messages read again (sequence not yet committed) are counted.
func TestNatsSourceWorkerKilled(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { sinktest.WorkLoop(t, newRig(t).Rig) }) {
		return
	}
	r := newRig(t)
	r.sourceFault("nats-source-kill").KillWorker(t, "kill -9 worker mid-stream: NATS JetStream source->Kafka", 2000, false)
}

// The private nats-server is shut down for 30 s while records still
// arrive: the invocations are RETRYING naming it, resume after its
// restart, and nothing is lost.
func TestNatsSinkServerDown30s(t *testing.T) {
	r := newRig(t)
	r.sinkFault("nats-sink-down").Outage(t, "nats-server down 30 s mid-stream: Kafka->NATS JetStream sink", 2000, outage,
		r.stop, r.start, ferrynats.ErrConnect.Error())
}

// The same outage under the JetStream source.
func TestNatsSourceServerDown30s(t *testing.T) {
	r := newRig(t)
	r.sourceFault("nats-source-down").Outage(t, "nats-server down 30 s mid-stream: NATS JetStream source->Kafka", 2000, outage,
		r.stop, r.start, ferrynats.ErrConnect.Error())
}
