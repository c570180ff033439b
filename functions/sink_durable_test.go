package functions

import (
	"context"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// holdingSink is a SinkTask that reports held-back offsets.
type holdingSink struct {
	held map[connectors.TopicPartition]int64
}

func (holdingSink) Open(context.Context, map[string]string) error      { return nil }
func (holdingSink) Put(context.Context, []*connectors.Record) error    { return nil }
func (holdingSink) Flush(context.Context) error                        { return nil }
func (h holdingSink) Committable() map[connectors.TopicPartition]int64 { return h.held }

type plainSink struct{ holdingSink }

func (plainSink) Committable() {}

// durable commits no further than an OffsetReporter allows, and everything
// put for partitions it does not name or for sinks without the ability.
func TestDurableOffsets(t *testing.T) {
	next := map[topicPartition]int64{{"a", 0}: 100, {"a", 1}: 50, {"b", 0}: 7}
	cases := []struct {
		name string
		task connectors.SinkTask
		want map[topicPartition]int64
	}{
		{"no reporter", plainSink{}, next},
		{"held back", holdingSink{map[connectors.TopicPartition]int64{{Topic: "a", Partition: 0}: 60, {Topic: "b", Partition: 0}: 9}},
			map[topicPartition]int64{{"a", 0}: 60, {"a", 1}: 50, {"b", 0}: 7}},
		{"nothing held", holdingSink{}, next},
	}
	for _, c := range cases {
		if got := durable(c.task, next); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
