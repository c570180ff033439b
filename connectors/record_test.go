package connectors

import (
	"strings"
	"testing"
)

func TestRecord(t *testing.T) {
	r := NewSourceRecord(map[string]any{"file": "a"}, map[string]any{"pos": int64(3)}, "topic", StringSchema, "v")
	if r.Partition != NoPartition || r.Timestamp != NoTimestamp || r.Offset != -1 {
		t.Errorf("NewSourceRecord = %+v", r)
	}
	if _, ok := r.Time(); ok {
		t.Error("Time without timestamp")
	}
	r.Timestamp = 1700000000123
	if tm, ok := r.Time(); !ok || tm.UnixMilli() != 1700000000123 {
		t.Errorf("Time = %v", tm)
	}
	r.Headers = []Header{{Key: "a", Value: "1"}}
	c := r.Clone()
	c.Headers[0].Value = "2"
	c.Headers = append(c.Headers, Header{Key: "b"})
	if r.Headers[0].Value != "1" || len(r.Headers) != 1 {
		t.Error("Clone shares headers")
	}
	if !strings.Contains(r.Coordinates(), "source partition") {
		t.Errorf("Coordinates = %s", r.Coordinates())
	}
	sink := &Record{Topic: "t", Partition: 2, Offset: 9}
	if sink.Coordinates() != `topic="t" partition=2 offset=9` {
		t.Errorf("Coordinates = %s", sink.Coordinates())
	}
}
