package hdfssink

import (
	"errors"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// File names are Confluent's: topic+partition+start+end, zero-padded, under
// the encoded partition; temporary files under <topics.dir>/+tmp.
func TestFileNamesAsConfluent(t *testing.T) {
	cases := []struct {
		format, want string
	}{
		{JSONFormat, "/topics/orders/partition=1/orders+1+0000000042+0000000099.json"},
		{ParquetFormat, "/topics/orders/partition=1/orders+1+0000000042+0000000099.parquet"},
		{"io.confluent.connect.hdfs.parquet.ParquetFormat", "/topics/orders/partition=1/orders+1+0000000042+0000000099.parquet"},
	}
	tp := connectors.TopicPartition{Topic: "orders", Partition: 1}
	for _, c := range cases {
		cfg := &Config{FormatClass: c.format, ParquetCodec: "snappy", TopicsDir: "topics", DirDelim: "/", ZeroPad: 10}
		f, ext, err := newFormat(cfg)
		if err != nil {
			t.Fatal(err)
		}
		task := &Task{cfg: cfg, format: f, ext: ext}
		if got := task.committedFile(tp, "partition=1", 42, 99); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
		if got := task.tmpName(tp, "partition=1"); len(got) != len("/topics/+tmp/orders/partition=1/")+32+len("_tmp"+ext) || got[:len("/topics/+tmp/orders/partition=1/")] != "/topics/+tmp/orders/partition=1/" {
			t.Errorf("temporary name %s", got)
		}
	}
}

// The committed names of a directory give the offsets a retry must skip;
// other partitions' and topics' files, and temporary files, do not count.
func TestSpansFromNames(t *testing.T) {
	tp := connectors.TopicPartition{Topic: "orders.v2", Partition: 3}
	names := []string{
		"orders.v2+3+0000000000+0000000999.parquet",
		"orders.v2+3+0000001000+0000001499.json",
		"orders.v2+4+0000001500+0000001999.json",
		"orders+3+0000002000+0000002999.json",
		"0f3a_tmp.json",
		"orders.v2+3+0000005000.json", // an S3-style name: no end offset
	}
	got := spans(tp, names)
	if len(got) != 2 || got[0] != (span{0, 999}) || got[1] != (span{1000, 1499}) {
		t.Fatalf("spans %v", got)
	}
	for off, want := range map[int64]bool{0: true, 999: true, 1499: true, 1500: false, 2000: false} {
		if covered(got, off) != want {
			t.Errorf("offset %d covered: got %v, want %v", off, !want, want)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	cases := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"format.class": AvroFormat}, "format.class"},
		{map[string]string{"hdfs.url": "http://nn:9870"}, "hdfs.url"},
		{map[string]string{"hadoop.conf.dir": "/etc/hadoop/conf"}, "hadoop.conf.dir"},
		{map[string]string{"hdfs.authentication.kerberos": "true"}, "hdfs.authentication.kerberos"},
		{map[string]string{"storage.class": "io.confluent.connect.s3.storage.S3Storage"}, "storage.class"},
		{map[string]string{"partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner"}, "partition.field.name"},
	}
	for _, c := range cases {
		props := map[string]string{"hdfs.url": "hdfs://127.0.0.1:8020", "flush.size": "10", "format.class": JSONFormat}
		for k, v := range c.props {
			props[k] = v
		}
		_, err := parse(props)
		var errs connectors.ConfigErrors
		if err == nil || !errors.As(err, &errs) || errs[0].Key != c.key {
			t.Errorf("%v: got %v, want an error on %s", c.props, err, c.key)
		}
	}
	if _, err := parse(map[string]string{"hdfs.url": "hdfs://nn:8020", "flush.size": "10", "format.class": "io.confluent.connect.hdfs.json.JsonFormat"}); err != nil {
		t.Errorf("the HdfsSinkConnector format name: %v", err)
	}
}

// The legacy class name finds the same plugin.
func TestLegacyClass(t *testing.T) {
	reg := connectors.NewRegistry(Plugin())
	for _, name := range []string{Class, LegacyClass, "Hdfs3SinkConnector", "HdfsSink"} {
		if p, err := reg.Lookup(name); err != nil || p.Class != Class {
			t.Errorf("%s: got %v, %v", name, p, err)
		}
	}
}
