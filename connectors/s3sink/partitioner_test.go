package s3sink

import (
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
		got := time.UnixMilli(floorInZone(at.UnixMilli(), c.dur.Milliseconds(), c.loc)).UTC().Format(time.RFC3339)
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
		cfg  Config
		want string
	}{
		{"default", Config{PartitionerClass: DefaultPartitioner}, "partition=3"},
		{"field", Config{PartitionerClass: FieldPartitioner, PartitionFields: []string{"region", "n"}, DirDelim: "/"}, "region=eu/n=7"},
		{"hourly", Config{PartitionerClass: HourlyPartitioner, Timezone: "UTC"}, "year=2026/month=03/day=01/hour=10"},
		{"daily", Config{PartitionerClass: DailyPartitioner, Timezone: "Asia/Kolkata"}, "year=2026/month=03/day=01"},
	}
	ts := time.Date(2026, 3, 1, 10, 10, 0, 0, time.UTC).UnixMilli()
	for _, c := range cases {
		p, err := newPartitioner(&c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, err := p.encode(rec, ts); err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	p, _ := newPartitioner(&Config{PartitionerClass: FieldPartitioner, PartitionFields: []string{"missing"}})
	if _, err := p.encode(rec, ts); err == nil {
		t.Error("missing partition field accepted")
	}
}

func TestObjectKeysAsConfluent(t *testing.T) {
	cases := []struct {
		format, codec, want string
	}{
		{JSONFormat, "", "topics/orders/partition=1/orders+1+0000000042.json"},
		{ParquetFormat, "snappy", "topics/orders/partition=1/orders+1+0000000042.snappy.parquet"},
		{ParquetFormat, "none", "topics/orders/partition=1/orders+1+0000000042.parquet"},
		{ByteArrayFormat, "", "topics/orders/partition=1/orders+1+0000000042.bin"},
	}
	for _, c := range cases {
		cfg := &Config{FormatClass: c.format, ParquetCodec: c.codec, TopicsDir: "topics", DirDelim: "/", FileDelim: "+",
			ZeroPad: 10, ByteArrayExt: ".bin", Compression: "none", JSONDecimalFormat: "BASE64"}
		f, err := newFormat(cfg)
		if err != nil {
			t.Fatal(err)
		}
		task := &Task{cfg: cfg, format: f}
		if got := task.objectKey(connectors.TopicPartition{Topic: "orders", Partition: 1}, "partition=1", 42); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	cases := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"format.class": "io.confluent.connect.s3.format.avro.AvroFormat"}, "format.class"},
		{map[string]string{"partitioner.class": FieldPartitioner}, "partition.field.name"},
		{map[string]string{"partitioner.class": TimeBasedPartitioner, "locale": "en", "timezone": "UTC"}, "path.format"},
		{map[string]string{"partitioner.class": HourlyPartitioner, "locale": "en", "timezone": "Mars/Base"}, "timezone"},
		{map[string]string{"timestamp.extractor": "Sundial"}, "timestamp.extractor"},
	}
	for _, c := range cases {
		props := map[string]string{"s3.bucket.name": "b", "flush.size": "10", "format.class": JSONFormat}
		for k, v := range c.props {
			props[k] = v
		}
		_, err := parse(props)
		var errs connectors.ConfigErrors
		if err == nil || !asConfigErrors(err, &errs) || errs[0].Key != c.key {
			t.Errorf("%v: got %v, want an error on %s", c.props, err, c.key)
		}
	}
}
