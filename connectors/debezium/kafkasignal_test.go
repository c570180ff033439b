package debezium

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The consumer's keys: signal.consumer.* passed through (bounded), the
// channel's brokers and group unless given there.
func TestKafkaSignalKeys(t *testing.T) {
	c := &KafkaSignalConfig{SignalKafkaServers: "b:9092", SignalKafkaGroup: "kafka-signal"}
	keys, err := KafkaSignalKeys(map[string]string{"signal.consumer.security.protocol": "SSL", "signal.consumer.group.id": "g", "signal.kafka.topic": "x"}, c)
	if err != nil || keys["security.protocol"] != "SSL" || keys["group.id"] != "g" || keys["bootstrap.servers"] != "b:9092" || len(keys) != 3 {
		t.Fatalf("keys %v %v", keys, err)
	}
	many := map[string]string{}
	for i := 0; i <= maxConsumerKeys; i++ {
		many[fmt.Sprintf("signal.consumer.k%d", i)] = "v"
	}
	if _, err := KafkaSignalKeys(many, c); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Fatalf("65 pass-through keys: %v", err)
	}
	if errs := (&KafkaSignalConfig{}).CheckKafkaSignal([]string{"source", " Kafka"}); len(errs) != 1 || errs[0].Key != "signal.kafka.bootstrap.servers" {
		t.Fatalf("kafka channel without brokers: %v", errs)
	}
	if errs := (&KafkaSignalConfig{}).CheckKafkaSignal([]string{"source"}); errs != nil {
		t.Fatalf("source only: %v", errs)
	}
}

// A signal record: keyed by topic.prefix, {"id", "type", "data": {…}}.
func TestKafkaSignalParse(t *testing.T) {
	k := &KafkaSignals{topic: "srv-signal", key: "srv"}
	for _, tc := range []struct {
		key, value string
		want       Signal
		ok         bool
	}{
		{"srv", `{"id": "s1", "type": "execute-snapshot", "data": {"data-collections": ["db.t"]}}`,
			Signal{ID: "s1", Type: "execute-snapshot", Data: `{"data-collections": ["db.t"]}`, Channel: "kafka"}, true},
		{"srv", `{"id": "s2", "type": "pause-snapshot"}`, Signal{ID: "s2", Type: "pause-snapshot", Channel: "kafka"}, true},
		{"other", `{"id": "s3", "type": "pause-snapshot"}`, Signal{}, false},
		{"srv", `not json`, Signal{}, false},
		{"srv", ``, Signal{}, false},
		{"srv", `{"id": "` + strings.Repeat("x", MaxSignalData) + `"}`, Signal{}, false},
	} {
		got, ok := k.parse(&kgo.Record{Key: []byte(tc.key), Value: []byte(tc.value)})
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s %.40s: %+v %v, want %+v %v", tc.key, tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

// The position is written when a signal was read and read back however
// the offset store decoded it.
func TestKafkaSignalPosition(t *testing.T) {
	off := map[string]any{}
	(*KafkaSignals)(nil).Stamp(off)
	(&KafkaSignals{}).Stamp(off)
	if len(off) != 0 {
		t.Fatalf("no position written as %v", off)
	}
	(&KafkaSignals{next: 3}).Stamp(off)
	for _, v := range []any{off[OffsetKafkaSignal], float64(3), json.Number("3"), 3} {
		if n, ok := offsetInt(v); !ok || n != 3 {
			t.Errorf("%T %v read as %d %v", v, v, n, ok)
		}
	}
	if _, ok := offsetInt("3"); ok {
		t.Error("a string read as a position")
	}
}

// A backlog of signals is read over several checks, at most
// maxSignalsPerCheck a check (each check due at once after a full one),
// every signal once and in order.
func TestKafkaSignalBacklogBounded(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "srv-signal"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	pr, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	n := maxSignalsPerCheck + 44
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: "srv-signal", Key: []byte("srv"), Value: fmt.Appendf(nil, `{"id": "s%d", "type": "log", "data": {"message": "m"}}`, i)}
	}
	if err := pr.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	c := &KafkaSignalConfig{SignalKafkaServers: strings.Join(cluster.ListenAddrs(), ",")}
	k, err := OpenKafkaSignals(ctx, c, nil, "srv", map[string]any{OffsetKafkaSignal: int64(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	var got []Signal
	for check := 0; len(got) < n && check < 10; check++ {
		if !k.Due() {
			t.Fatalf("check %d not due after %d of %d signals", check, len(got), n)
		}
		sigs, err := k.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(sigs) > maxSignalsPerCheck {
			t.Fatalf("check %d returned %d signals, at most %d", check, len(sigs), maxSignalsPerCheck)
		}
		got = append(got, sigs...)
	}
	if len(got) != n || k.Next() != int64(n) {
		t.Fatalf("%d signals read, position %d; want %d and %d", len(got), k.Next(), n, n)
	}
	for i, s := range got {
		if s.ID != fmt.Sprintf("s%d", i) {
			t.Fatalf("signal %d is %s", i, s.ID)
		}
	}
}
