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
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/s3sink"
	"github.com/ferryhq/ferry/functions/sinktest"
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
	*sinktest.Rig
	env map[string]string
	s3  *s3.Client
}

func newRig(t testing.TB) *rig {
	t.Helper()
	e := env(t, "KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
	s3c := s3.New(s3.Options{Region: e["AWS_REGION"], BaseEndpoint: aws.String(e["S3_ENDPOINT"]), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"], ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired})
	return &rig{Rig: sinktest.New(t, "s3-test", s3sink.Plugin(), file.Sink()), env: e, s3: s3c}
}

// bucket creates a fresh bucket, dropped with its objects when the test
// ends unless it failed: every benchmark run writes about 90 MB, which
// filled the shared store's disk when buckets were left behind.
func (r *rig) bucket(name string) string {
	name = fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)
	if _, err := r.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		r.T.Fatal(err)
	}
	r.T.Cleanup(func() {
		if !r.T.Failed() {
			r.drop(name)
		}
	})
	return name
}

// drop deletes bucket, its objects and its unfinished multipart uploads.
// A failure is logged, not a test failure: the bucket only takes space.
func (r *rig) drop(bucket string) {
	ctx := context.Background()
	ups, err := r.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	for i := 0; err == nil && i < len(ups.Uploads); i++ {
		u := ups.Uploads[i]
		_, err = r.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: u.Key, UploadId: u.UploadId})
	}
	for _, k := range r.objects(bucket, "") {
		if err == nil {
			_, err = r.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &k})
		}
	}
	if err == nil {
		_, err = r.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	}
	if err != nil {
		r.T.Logf("bucket %s left behind: %v", bucket, err)
	}
}

// objects lists the keys under prefix, sorted.
func (r *rig) objects(bucket, prefix string) []string {
	var keys []string
	p := s3.NewListObjectsV2Paginator(r.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			r.T.Fatal(err)
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
		r.T.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		r.T.Fatal(err)
	}
	return b
}

// download fetches the keys into a temporary directory, in parallel.
func (r *rig) download(bucket string, keys []string) []string {
	dir := r.T.TempDir()
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
				r.T.Error(err)
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
