//go:build integration

package hdfssink_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/hdfssink"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/parquet-go/parquet-go"
)

// rig is one test's Kafka, HDFS client and handler.
type rig struct {
	*sinktest.Rig
	url string
	fs  *hdfs.Client
}

func newRig(t testing.TB) *rig {
	t.Helper()
	url := os.Getenv("HDFS_URL")
	if url == "" {
		t.Fatal("HDFS_URL must be set: run `eval \"$(localstack/up kafka hdfs)\"`")
	}
	fs, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{strings.TrimPrefix(url, "hdfs://")}, User: "ferry-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return &rig{Rig: sinktest.New(t, "hdfs-test", hdfssink.Plugin(), file.Sink()), url: url, fs: fs}
}

// config is an HDFS sink config writing topic under a topics.dir of its own.
func (r *rig) config(topic, format string, kv ...string) map[string]string {
	cfg := map[string]string{"connector.class": hdfssink.Class, "topics": topic, "hdfs.url": r.url,
		"topics.dir": "/ferry-test/" + topic, "format.class": "io.confluent.connect.hdfs3." + format, "flush.size": "5000"}
	for i := 0; i+1 < len(kv); i += 2 {
		cfg[kv[i]] = kv[i+1]
	}
	return cfg
}

// files lists every file under dir (recursively), sorted; with tmp false
// the temporary directory +tmp is left out.
func (r *rig) files(dir string, tmp bool) []string {
	var out []string
	err := r.fs.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if fi.IsDir() && fi.Name() == "+tmp" && !tmp {
			return filepath.SkipDir
		}
		if !fi.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		r.T.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// rows reads one committed file back: JSON lines, or Parquet rows with the
// timestamp as epoch milliseconds.
func (r *rig) rows(name string) []map[string]any {
	b, err := r.fs.ReadFile(name)
	if err != nil {
		r.T.Fatal(err)
	}
	var out []map[string]any
	if strings.HasSuffix(name, ".json") {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var row map[string]any
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				r.T.Fatalf("%s: %v", name, err)
			}
			out = append(out, row)
		}
		return out
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		r.T.Fatalf("%s: %v", name, err)
	}
	rd := parquet.NewGenericReader[map[string]any](f, f.Schema())
	rows := make([]map[string]any, f.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	if n, _ := rd.Read(rows); n != len(rows) {
		r.T.Fatalf("%s: read %d of %d rows", name, n, len(rows))
	}
	for _, row := range rows {
		row["id"] = float64(row["id"].(int64))
		if ts, ok := row["ts"].(time.Time); ok {
			row["ts"] = float64(ts.UnixMilli())
		}
	}
	return rows
}

// count reads every committed file under dir and counts each order id.
func (r *rig) count(t *testing.T, dir string, pad int) (files []string, seen map[int]int) {
	seen = map[int]int{}
	files = r.files(dir, false)
	for _, f := range files {
		for _, row := range r.rows(f) {
			seen[sinktest.CheckOrder(t, f, row, pad)]++
		}
	}
	return files, seen
}
