package oracle

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// SendSignal produces a signal to partition 0 of topic, keyed by a
// connector's topic.prefix, as Debezium's KafkaSignalChannel reads it:
// {"id": id, "type": typ, "data": data} (data is a JSON document).
func SendSignal(t testing.TB, seeds []string, topic, prefix, id, typ, data string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	v := fmt.Sprintf(`{"id": %q, "type": %q, "data": %s}`, id, typ, data)
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Partition: 0, Key: []byte(prefix), Value: []byte(v)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
}
