package s3sink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors"
)

// fakeS3 is the part of S3 the sink uses (PutObject and multipart uploads),
// in memory; it fails the nth request of kind with 503 SlowDown.
type fakeS3 struct {
	kind string
	nth  int

	mu      sync.Mutex
	seen    int
	objects map[string][]byte
	parts   map[string]map[int][]byte // by upload id, then part number
}

// requestKind names an upload request: put (PutObject), create
// (CreateMultipartUpload), part (UploadPart), complete
// (CompleteMultipartUpload); "" for others.
func requestKind(req *http.Request) string {
	q := req.URL.Query()
	switch {
	case req.Method == http.MethodPut && q.Has("partNumber"):
		return "part"
	case req.Method == http.MethodPut:
		return "put"
	case req.Method == http.MethodPost && q.Has("uploads"):
		return "create"
	case req.Method == http.MethodPost && q.Has("uploadId"):
		return "complete"
	}
	return ""
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, key, kind := req.URL.Query(), req.URL.Path, requestKind(req)
	body, _ := io.ReadAll(req.Body)
	if sum := sha256.Sum256(body); (kind == "put" || kind == "part") && req.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
		w.WriteHeader(http.StatusBadRequest) // as S3 answers a body its signature does not match
		fmt.Fprint(w, `<Error><Code>XAmzContentSHA256Mismatch</Code><Message>signed payload hash differs</Message></Error>`)
		return
	}
	if kind != "" && kind == f.kind {
		if f.seen++; f.seen == f.nth {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<Error><Code>SlowDown</Code><Message>injected</Message></Error>`)
			return
		}
	}
	switch kind {
	case "put":
		f.objects[key] = body
	case "create":
		id := strconv.Itoa(len(f.parts) + 1)
		f.parts[id] = map[int][]byte{}
		fmt.Fprintf(w, `<InitiateMultipartUploadResult><UploadId>%s</UploadId></InitiateMultipartUploadResult>`, id)
	case "part":
		n, _ := strconv.Atoi(q.Get("partNumber"))
		f.parts[q.Get("uploadId")][n] = body
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, n))
	case "complete":
		f.objects[key] = f.assemble(q.Get("uploadId"))
		fmt.Fprint(w, `<CompleteMultipartUploadResult></CompleteMultipartUploadResult>`)
	}
}

// assemble joins an upload's parts in part number order.
func (f *fakeS3) assemble(id string) []byte {
	parts := f.parts[id]
	nums := make([]int, 0, len(parts))
	for n := range parts {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var obj []byte
	for _, n := range nums {
		obj = append(obj, parts[n]...)
	}
	return obj
}

// retrying is one run of runRetrying: a fake S3 failing the nth request of
// kind, parts of partSize bytes, per records in each Put (all when 0), and
// with settle, the test waits for the sets sent in the background after each
// Put, so that a failure there is met by the next Put.
type retrying struct {
	kind          string
	nth, partSize int
	per           int
	settle        bool
}

// retried is what a run wrote: the objects, the offsets Put rejected, and
// how many Put and Flush calls failed (retriably).
type retried struct {
	objects                  map[string][]byte
	rejected                 []int64
	putFailures, flushFailed int
}

// runRetrying opens a task on run's fake S3 and puts batch as the runtime
// does with errors.retry.timeout above 0: each Put again while it fails with
// a retriable error, then Flush again while it does. Afterwards nothing is
// held back (Committable).
func runRetrying(t *testing.T, run retrying, batch []*connectors.Record) retried {
	t.Helper()
	fake := &fakeS3{kind: run.kind, nth: run.nth, objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	task, ctx := openOnFake(t, srv.URL, run.partSize)
	defer task.Close()
	var out retried
	per := run.per
	if per == 0 {
		per = len(batch)
	}
	for i := 0; i < len(batch); i += per {
		err := retry(func() error { return task.Put(ctx, batch[i:min(i+per, len(batch))]) }, &out.putFailures)
		var rej *connectors.RejectedError
		if errors.As(err, &rej) {
			for _, r := range rej.Rejected {
				out.rejected = append(out.rejected, r.Record.Offset)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		if run.settle {
			awaitSent(task)
		}
	}
	if err := retry(func() error { return task.Flush(ctx) }, &out.flushFailed); err != nil {
		t.Fatal(err)
	}
	if held := task.Committable(); len(held) > 0 {
		t.Fatalf("after Flush, offsets held back: %v", held)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.seen < run.nth {
		t.Fatalf("only %d %s requests: the failure never happened", fake.seen, run.kind)
	}
	out.objects = maps.Clone(fake.objects)
	return out
}

// retry calls op again while it fails with a retriable error (at most five
// times more), counting the failures in failed.
func retry(op func() error, failed *int) error {
	for try := 0; ; try++ {
		err := op()
		if !connectors.IsRetriable(err) || try == 5 {
			return err
		}
		*failed++
	}
}

// openOnFake opens a JsonFormat task with flush.size 4 on the S3 at url,
// with parts of partSize bytes and no retries by the SDK (they would hide
// the failures).
func openOnFake(t *testing.T, url string, partSize int) (*Task, context.Context) {
	t.Helper()
	task, ctx := NewTask(), context.Background()
	err := task.Open(ctx, map[string]string{"s3.bucket.name": "b", "s3.region": "us-east-1", "store.url": url,
		"aws.access.key.id": "k", "aws.secret.access.key": "s", "flush.size": "4",
		"format.class": "io.confluent.connect.s3.format.json.JsonFormat"})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.store.ready(ctx); err != nil { // the check's goroutine reads the client replaced below
		t.Fatal(err)
	}
	opts := task.store.client.Options()
	opts.RetryMaxAttempts = 1
	task.store.client, task.store.partSize = s3.New(opts), partSize
	return task, ctx
}

// awaitSent waits until the background sent every set committed so far
// (or failed to).
func awaitSent(task *Task) {
	for _, w := range task.tps {
		for _, s := range w.sent {
			if s.done != nil {
				<-s.done
			}
		}
	}
}

// A Put retried after a failed PutObject, UploadPart,
// CreateMultipartUpload or CompleteMultipartUpload writes the objects of a
// run without the failure, byte for byte, and reports each rejected record
// once (offset 2, a tombstone, rejected before the failure).
func TestRetriedPutWritesEachRecordOnce(t *testing.T) {
	batch := make([]*connectors.Record, 9)
	for i := range batch {
		batch[i] = &connectors.Record{Topic: "orders", Offset: int64(i), Value: fmt.Sprintf("order %d %s", i, strings.Repeat("x", 20))}
	}
	batch[2].Value = nil
	cases := []struct {
		name     string
		kind     string
		nth      int
		partSize int
	}{
		{"second PutObject", "put", 2, 1 << 20},
		{"first UploadPart", "part", 1, 64},
		{"last UploadPart of the first object", "part", 3, 64},
		{"CreateMultipartUpload", "create", 1, 64},
		{"CompleteMultipartUpload of the second object", "complete", 2, 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := runRetrying(t, retrying{partSize: c.partSize}, batch)
			got := runRetrying(t, retrying{kind: c.kind, nth: c.nth, partSize: c.partSize}, batch)
			sameRun(t, got, want)
			if len(got.rejected) != 1 {
				t.Errorf("rejected offsets %v, want one", got.rejected)
			}
		})
	}
}

// sameRun checks that got wrote the objects of want, byte for byte, and
// rejected the same records.
func sameRun(t *testing.T, got, want retried) {
	t.Helper()
	if len(want.objects) != 2 || len(got.objects) != len(want.objects) {
		t.Fatalf("%d objects, want %d", len(got.objects), len(want.objects))
	}
	for key, w := range want.objects {
		if !bytes.Equal(got.objects[key], w) {
			t.Errorf("%s:\n%s\nwant\n%s", key, got.objects[key], w)
		}
	}
	if fmt.Sprint(got.rejected) != fmt.Sprint(want.rejected) {
		t.Errorf("rejected offsets %v, want %v", got.rejected, want.rejected)
	}
}
