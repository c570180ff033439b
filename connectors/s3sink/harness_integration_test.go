//go:build integration

package s3sink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// env returns the named variables, failing the test when one is missing.
func env(t testing.TB, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		if out[n] = os.Getenv(n); out[n] == "" {
			t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka s3)\"`", n)
		}
	}
	return out
}

// rig is one test's Kafka, S3 and state store.
type rig struct {
	t     testing.TB
	env   map[string]string
	kafka *kgo.Client
	s3    *s3.Client
	store state.Store
	h     *functions.Handler
}

func newRig(t testing.TB) *rig {
	t.Helper()
	e := env(t, "KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
	seeds := strings.Split(e["KAFKA_BOOTSTRAP_SERVERS"], ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := connectors.NewRegistry(s3sink.Plugin(), file.Sink())
	h, err := functions.NewHandler(functions.Options{Plugins: reg, Store: store, Seeds: seeds, InstanceID: "s3-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	s3c := s3.New(s3.Options{Region: e["AWS_REGION"], BaseEndpoint: aws.String(e["S3_ENDPOINT"]), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"], ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired})
	return &rig{t: t, env: e, kafka: cl, s3: s3c, store: store, h: h}
}

// bucket creates a fresh bucket.
func (r *rig) bucket(name string) string {
	name = fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)
	if _, err := r.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		r.t.Fatal(err)
	}
	return name
}

// topic creates a topic with the given partitions.
func (r *rig) topic(name string, partitions int32) string {
	name = fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)
	if _, err := kadm.NewClient(r.kafka).CreateTopic(context.Background(), partitions, 1, nil, name); err != nil {
		r.t.Fatal(err)
	}
	return name
}

// produce writes n records made by mk, in order, to the given partitions round-robin.
func (r *rig) produce(topic string, partitions int32, from, n int, mk func(i int) *kgo.Record) {
	const chunk = 5000
	for lo := from; lo < from+n; lo += chunk {
		var recs []*kgo.Record
		for i := lo; i < min(lo+chunk, from+n); i++ {
			rec := mk(i)
			rec.Topic, rec.Partition = topic, int32(i)%partitions
			recs = append(recs, rec)
		}
		if err := r.kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			r.t.Fatal(err)
		}
	}
}

// invocation is one run of task 0 of connector name with a fresh epoch.
func (r *rig) invocation(name string, cfg map[string]string) functions.Invocation {
	epoch, err := r.store.NextEpoch(context.Background(), name, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	full := map[string]string{"name": name, "tasks.max": "1", "task.id": "0"}
	for k, v := range cfg {
		full[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: full["connector.class"], Config: full, Deadline: time.Now().Add(90 * time.Second), MaxRecords: 100000}
}

// drain invokes the sink until it has read everything, and returns the results.
func (r *rig) drain(name string, cfg map[string]string) []functions.Result {
	var out []functions.Result
	for i := 0; i < 50; i++ {
		res, err := r.h.Handle(context.Background(), r.invocation(name, cfg))
		if err != nil {
			r.t.Fatalf("invocation %d of %s: %v (%s)", i, name, err, res.Trace)
		}
		out = append(out, res)
		if !res.More {
			return out
		}
	}
	r.t.Fatalf("%s still had more after 50 invocations", name)
	return nil
}

// committed returns the consumer group offsets of connector name on topic.
func (r *rig) committed(name, topic string) map[int32]int64 {
	offs, err := kadm.NewClient(r.kafka).FetchOffsetsForTopics(context.Background(), functions.GroupID(name), topic)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			out[o.Partition] = o.At
		}
	})
	return out
}

// objects lists the keys under prefix, sorted.
func (r *rig) objects(bucket, prefix string) []string {
	var keys []string
	p := s3.NewListObjectsV2Paginator(r.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			r.t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, *o.Key)
		}
	}
	sort.Strings(keys)
	return keys
}

// get downloads one object.
func (r *rig) get(bucket, key string) []byte {
	out, err := r.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		r.t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// download fetches the keys into a temporary directory, in parallel.
func (r *rig) download(bucket string, keys []string) []string {
	dir := r.t.TempDir()
	paths := make([]string, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, k := range keys {
		paths[i] = filepath.Join(dir, strings.ReplaceAll(k, "/", "_"))
		wg.Add(1)
		go func(i int, k string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := os.WriteFile(paths[i], r.get(bucket, k), 0o644); err != nil {
				r.t.Error(err)
			}
		}(i, k)
	}
	wg.Wait()
	return paths
}

// pyFile is what read_parquet.py prints for one file.
type pyFile struct {
	File   string           `json:"file"`
	Schema string           `json:"schema"`
	Codec  string           `json:"codec"`
	Rows   []map[string]any `json:"rows"`
}

var pyOnce sync.Once

// pyarrow returns the python of a virtualenv with pyarrow from PyPI, under
// the stack directory, creating it on first use.
func pyarrow(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FERRY_STACK_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "ferry-stack")
	}
	venv := filepath.Join(dir, "pyarrow-venv")
	py := filepath.Join(venv, "bin", "python")
	var err error
	pyOnce.Do(func() {
		if exec.Command(py, "-c", "import pyarrow").Run() == nil {
			return
		}
		steps := [][]string{{"python3", "-m", "venv", venv}, {py, "-m", "pip", "install", "-q", "pyarrow==26.0.1"}}
		for _, s := range steps {
			if out, e := exec.Command(s[0], s[1:]...).CombinedOutput(); e != nil {
				err = fmt.Errorf("%v: %v\n%s", s, e, out)
				return
			}
		}
	})
	if err != nil {
		t.Fatalf("installing pyarrow (python3-venv and PyPI needed): %v", err)
	}
	return py
}

// readParquet reads files with pyarrow.
func readParquet(t testing.TB, paths []string) []pyFile {
	t.Helper()
	py := pyarrow(t)
	var out []pyFile
	for lo := 0; lo < len(paths); lo += 50 {
		cmd := exec.Command(py, append([]string{"testdata/read_parquet.py"}, paths[lo:min(lo+50, len(paths))]...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("pyarrow: %v\n%s", err, stderr.String())
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for dec.More() {
			var f pyFile
			if err := dec.Decode(&f); err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
	}
	return out
}
