package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// maxTopicBytes bounds what is read of the config and status topics.
const maxTopicBytes = 256 << 20

// Topics reads a Kafka Connect cluster from its internal topics, as its
// workers do (read_committed, every record up to the end): connector configs
// and target states from the config topic, reported states from the status
// topic, source offsets from the offsets topic and sink offsets from the
// consumer groups. It only reads: nothing is produced, no group is joined.
type Topics struct {
	// Opts are the client options (seeds, TLS, SASL) from the worker's keys.
	Opts []kgo.Opt
	// Seeds name the cluster in the report.
	Seeds []string
	// Config, Offsets and Status are config.storage.topic,
	// offset.storage.topic and status.storage.topic ("" skips status).
	Config, Offsets, Status string
}

// String names the source for messages: the config topic and its brokers.
func (t *Topics) String() string {
	return fmt.Sprintf("config topic %s on %s", t.Config, strings.Join(t.Seeds, ","))
}

// Connectors lists every connector with its config, states and offsets.
func (t *Topics) Connectors(ctx context.Context) ([]Connector, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords()}, t.Opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	configs, err := lastValues(ctx, cl, adm, t.Config)
	if err != nil {
		return nil, err
	}
	offsets, err := lastValues(ctx, cl, adm, t.Offsets)
	if err != nil {
		return nil, err
	}
	sources := sourceOffsets(offsets)
	statuses := map[string][]byte{}
	if t.Status != "" {
		if statuses, err = lastValues(ctx, cl, adm, t.Status); err != nil {
			return nil, err
		}
	}
	var out []Connector
	for key, v := range configs {
		name, ok := strings.CutPrefix(key, "connector-")
		if !ok || v == nil {
			continue
		}
		var rec struct {
			Properties map[string]string `json:"properties"`
		}
		if err := json.Unmarshal(v, &rec); err != nil || rec.Properties == nil {
			continue // Kafka Connect logs and skips such a record too
		}
		c := Connector{Name: name, Config: rec.Properties, Target: targetState(configs["target-state-"+name])}
		c.Running, c.Worker = reportedState(statuses["status-connector-"+name])
		if isSink(rec.Properties) {
			c.Offsets, c.OffsetsErr = sinkOffsets(ctx, adm, name, rec.Properties)
		} else {
			c.Offsets = sources[name]
		}
		out = append(out, c)
	}
	return out, nil
}

// sourceOffsets groups the offsets topic's live entries by connector,
// skipping keys that are not ["<connector>",{partition}] and tombstones, as
// Kafka Connect does.
func sourceOffsets(values map[string][]byte) map[string][]Offset {
	out := map[string][]Offset{}
	for k, v := range values {
		name, partition, ok := state.DecodeOffsetKey([]byte(k))
		if !ok || v == nil {
			continue
		}
		off, err := state.DecodeOffsetValue(v)
		if err != nil || off == nil {
			continue
		}
		out[name] = append(out[name], Offset{Partition: partition, Offset: off})
	}
	return out
}

// sinkOffsets reads a sink connector's consumer group.
func sinkOffsets(ctx context.Context, adm *kadm.Client, name string, config map[string]string) ([]Offset, error) {
	group := connectors.SinkGroup(name, config)
	committed, err := adm.FetchOffsets(ctx, group)
	if err == nil {
		err = committed.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("offsets of consumer group %s: %w", group, err)
	}
	var out []Offset
	committed.Each(func(o kadm.OffsetResponse) {
		out = append(out, Offset{Partition: map[string]any{"kafka_topic": o.Topic, "kafka_partition": int64(o.Partition)},
			Offset: map[string]any{"kafka_offset": o.At}})
	})
	return out, nil
}

// isSink tells a sink config by the keys every sink must set.
func isSink(config map[string]string) bool {
	return strings.TrimSpace(config["topics"]) != "" || strings.TrimSpace(config["topics.regex"]) != ""
}

// targetState reads a target-state record (v1 "state", v2 "state.v2");
// none means STARTED, shown as RUNNING.
func targetState(v []byte) string {
	var ts struct {
		State   string `json:"state"`
		StateV2 string `json:"state.v2"`
	}
	_ = json.Unmarshal(v, &ts)
	s := ts.StateV2
	if s == "" {
		s = ts.State
	}
	if s == "" || s == "STARTED" {
		return string(state.TargetRunning)
	}
	return s
}

// reportedState reads a status-connector record.
func reportedState(v []byte) (st, worker string) {
	var s struct {
		State    string `json:"state"`
		WorkerID string `json:"worker_id"`
	}
	_ = json.Unmarshal(v, &s)
	return s.State, s.WorkerID
}

// lastValues reads topic from its start to its end and keeps the last value
// of each key (nil for a tombstone).
func lastValues(ctx context.Context, cl *kgo.Client, adm *kadm.Client, topic string) (map[string][]byte, error) {
	// The last stable offsets: a transaction left open (an exactly-once
	// worker killed) must not hold the read until it times out.
	ends, err := adm.ListCommittedOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("last stable offsets of topic %s: %w", topic, err)
	}
	if len(ends[topic]) == 0 {
		return nil, fmt.Errorf("topic %s does not exist: check config.storage.topic/status.storage.topic against the Kafka Connect workers' properties", topic)
	}
	want, start := map[int32]int64{}, map[int32]kgo.Offset{}
	ends.Each(func(l kadm.ListedOffset) {
		if l.Offset > 0 {
			want[l.Partition], start[l.Partition] = l.Offset, kgo.NewOffset().AtStart()
		}
	})
	cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: start})
	defer cl.RemoveConsumePartitions(map[string][]int32{topic: keys(start)})
	out, size := map[string][]byte{}, 0
	for len(want) > 0 {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		f := cl.PollFetches(pctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading topic %s: %w", topic, err)
		}
		for _, fe := range f.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("reading topic %s[%d]: %w", fe.Topic, fe.Partition, fe.Err)
			}
		}
		f.EachRecord(func(r *kgo.Record) {
			if r.Topic != topic {
				return
			}
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
			if r.Attrs.IsControl() {
				return
			}
			size += len(r.Key) + len(r.Value)
			out[string(r.Key)] = r.Value
		})
		if size > maxTopicBytes {
			return nil, fmt.Errorf("topic %s holds more than %d MiB: is it an internal topic of Kafka Connect?", topic, maxTopicBytes>>20)
		}
	}
	return out, nil
}

func keys[V any](m map[int32]V) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
