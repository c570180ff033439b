package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestJodaPathFormats(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 5, 7, 123e6, time.UTC)
	cases := []struct{ pattern, want string }{
		{"'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", "year=2026/month=03/day=01/hour=09"},
		{"YYYY-MM-dd'T'HH:mm:ss.SSS", "2026-03-01T09:05:07.123"},
		{"yy/MMM/EEE/D/hh a", "26/Mar/Sun/60/09 AM"},
		{"'it''s' yyyy", "it's 2026"},
	}
	for _, c := range cases {
		toks, err := parseJoda(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := formatJoda(toks, at); got != c.want {
			t.Errorf("%s: got %q, want %q", c.pattern, got, c.want)
		}
	}
	if _, err := parseJoda("YYYY/QQ"); err == nil {
		t.Error("unsupported letter Q accepted")
	}
}

// floorInZone floors in local time: Kolkata hours start at :30 UTC.
func TestFloorInZone(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		loc      *time.Location
		at, want string
		dur      time.Duration
	}{
		{kolkata, "2026-03-01T10:10:00Z", "2026-03-01T09:30:00Z", time.Hour},
		{kolkata, "2026-03-01T10:40:00Z", "2026-03-01T10:30:00Z", time.Hour},
		{kolkata, "2026-03-01T20:00:00Z", "2026-03-01T18:30:00Z", 24 * time.Hour},
		{time.UTC, "2026-03-01T10:10:00Z", "2026-03-01T10:00:00Z", time.Hour},
		{ny, "2026-03-08T12:00:00Z", "2026-03-08T05:00:00Z", 24 * time.Hour}, // DST day starts at EST midnight
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		got := time.UnixMilli(FloorInZone(at.UnixMilli(), c.dur.Milliseconds(), c.loc)).UTC().Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s in %s floored to %v: got %s, want %s", c.at, c.loc, c.dur, got, c.want)
		}
	}
}

func TestPartitioners(t *testing.T) {
	schema := connectors.StructBuilder().Field("region", connectors.StringSchema).Field("n", connectors.Int32Schema).MustBuild()
	value := connectors.NewStruct(schema).MustPut("region", "eu").MustPut("n", int32(7))
	rec := &connectors.Record{Topic: "t", Partition: 3, Offset: 42, Value: value, ValueSchema: schema}
	cases := []struct {
		name string
		cfg  PartitionerConfig
		want string
	}{
		{"default", PartitionerConfig{PartitionerClass: DefaultPartitioner}, "partition=3"},
		{"field", PartitionerConfig{PartitionerClass: FieldPartitioner, PartitionFields: []string{"region", "n"}}, "region=eu/n=7"},
		{"hourly", PartitionerConfig{PartitionerClass: HourlyPartitioner, Timezone: "UTC"}, "year=2026/month=03/day=01/hour=10"},
		{"daily", PartitionerConfig{PartitionerClass: DailyPartitioner, Timezone: "Asia/Kolkata"}, "year=2026/month=03/day=01"},
	}
	ts := time.Date(2026, 3, 1, 10, 10, 0, 0, time.UTC).UnixMilli()
	for _, c := range cases {
		p, err := NewPartitioner(&c.cfg, "/")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, err := p.Encode(rec, ts); err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	def, _ := NewPartitioner(&PartitionerConfig{PartitionerClass: DefaultPartitioner}, "/")
	for _, n := range []int32{0, 255, 256, 1000} {
		if got, _ := def.Encode(&connectors.Record{Partition: n}, ts); got != fmt.Sprintf("partition=%d", n) {
			t.Errorf("default, partition %d: got %q", n, got)
		}
	}
	p, _ := NewPartitioner(&PartitionerConfig{PartitionerClass: FieldPartitioner, PartitionFields: []string{"missing"}}, "/")
	if _, err := p.Encode(rec, ts); err == nil {
		t.Error("missing partition field accepted")
	}
}
