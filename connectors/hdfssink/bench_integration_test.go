//go:build integration

package hdfssink_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkHDFSSinkVsDirect compares the sink (Kafka to HDFS, JsonFormat,
// flush.size 5000) with the same client (colinmarc/hdfs) writing the same
// JSON lines directly, in the same run: files of 5000 lines written under a
// temporary name, closed and renamed into place, as the sink commits them.
// A FileStreamSink reads the topic once first (unmeasured), so neither run
// pays for a cold broker. It reports the sink's time as a multiple of the
// direct writes' and records per CPU-second of this process (the handler
// and the client; the mini cluster's JVM is not counted for either).
func BenchmarkHDFSSinkVsDirect(b *testing.B) {
	const n, flush, pad = 100000, 5000, 100
	r := newRig(b)
	topic := r.Topic("hdfsbench", 1)
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Millisecond) })
	lines := make([][]byte, n)
	for i := range lines {
		var env struct{ Payload json.RawMessage }
		if err := json.Unmarshal(sinktest.Order(i, pad, time.Millisecond).Value, &env); err != nil {
			b.Fatal(err)
		}
		var c bytes.Buffer
		json.Compact(&c, env.Payload)
		lines[i] = append(c.Bytes(), '\n')
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		dir := fmt.Sprintf("/ferry-bench/%s-%d", topic, it)
		r.Drain(fmt.Sprintf("warmup-%d-%s", it, topic), map[string]string{"connector.class": file.SinkClass,
			"topics": topic, "file": filepath.Join(b.TempDir(), "warmup.txt")})
		direct, directCPU := sinktest.Measure(func() { r.writeDirect(b, dir+"/direct", lines, flush) })
		cfg := r.config(topic, "json.JsonFormat", "topics.dir", dir+"/sink", "flush.size", fmt.Sprint(flush))
		sink, sinkCPU := sinktest.Measure(func() { r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), cfg) })
		if files := r.files(dir+"/sink", false); len(files) != n/flush {
			b.Fatalf("the sink wrote %d files, want %d", len(files), n/flush)
		}
		b.ReportMetric(sink.Seconds()/direct.Seconds(), "x-direct")
		b.ReportMetric(n/sinkCPU.Seconds(), "sink-records/CPU-s")
		b.ReportMetric(n/directCPU.Seconds(), "direct-records/CPU-s")
		b.Logf("HDFS JsonFormat, %d records: direct client %v, ferry sink from Kafka %v: time ×%.2f of direct",
			n, direct.Round(time.Millisecond), sink.Round(time.Millisecond), sink.Seconds()/direct.Seconds())
	}
}

// writeDirect writes lines in files of flush lines with the client alone:
// create a temporary file, write, close (asking again while the NameNode
// completes the last block), rename into place.
func (r *rig) writeDirect(b *testing.B, dir string, lines [][]byte, flush int) {
	if err := r.fs.MkdirAll(dir+"/+tmp", 0o755); err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < len(lines); lo += flush {
		tmp := fmt.Sprintf("%s/+tmp/%d_tmp.json", dir, lo)
		w, err := r.fs.Create(tmp)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		for _, l := range lines[lo:min(lo+flush, len(lines))] {
			buf.Write(l)
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
		for err = w.Close(); err != nil; err = w.Close() {
			if !strings.Contains(err.Error(), "replication in progress") {
				b.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := r.fs.Rename(tmp, fmt.Sprintf("%s/t+0+%010d+%010d.json", dir, lo, lo+flush-1)); err != nil {
			b.Fatal(err)
		}
	}
}
