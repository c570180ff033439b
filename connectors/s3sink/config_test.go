package s3sink

import (
	"errors"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func asConfigErrors(err error, out *connectors.ConfigErrors) bool { return errors.As(err, out) }

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

// TestTakesJSONValues: the task takes values already written as JSON only
// with JsonFormat and a partitioner and timestamp extractor that do not read
// the value.
func TestTakesJSONValues(t *testing.T) {
	cases := []struct {
		props map[string]string
		want  bool
	}{
		{map[string]string{}, true},
		{map[string]string{"s3.compression.type": "gzip", "json.decimal.format": "NUMERIC"}, true},
		{map[string]string{"partitioner.class": DailyPartitioner, "locale": "en", "timezone": "UTC", "timestamp.extractor": "Record"}, true},
		{map[string]string{"format.class": ParquetFormat}, false},
		{map[string]string{"format.class": ByteArrayFormat}, false},
		{map[string]string{"partitioner.class": FieldPartitioner, "partition.field.name": "id"}, false},
		{map[string]string{"timestamp.extractor": "RecordField", "timestamp.field": "ts"}, false},
	}
	for _, c := range cases {
		props := map[string]string{"s3.bucket.name": "b", "flush.size": "10", "format.class": JSONFormat}
		for k, v := range c.props {
			props[k] = v
		}
		cfg, err := parse(props)
		if err != nil {
			t.Fatalf("%v: %v", c.props, err)
		}
		if got := (&Task{cfg: cfg}).TakesJSONValues(); got != c.want {
			t.Errorf("%v: TakesJSONValues = %v, want %v", c.props, got, c.want)
		}
	}
	if (&Task{}).TakesJSONValues() {
		t.Error("an unopened task takes converted values")
	}
}

// The task asks for fetches of fetchBytes (connectors.FetchSizer).
var _ connectors.FetchSizer = (*Task)(nil)
