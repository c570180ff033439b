package s3sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// runRetrying opens a task on a fake S3 failing the nth request of kind,
// with parts of partSize bytes, and puts batch as the runtime does with
// errors.retry.timeout above 0: again while Put fails with a retriable
// error. It returns the objects and the offsets Put rejected.
func runRetrying(t *testing.T, kind string, nth, partSize int, batch []*connectors.Record) (map[string][]byte, []int64) {
	t.Helper()
	fake := &fakeS3{kind: kind, nth: nth, objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	task, ctx := NewTask(), context.Background()
	err := task.Open(ctx, map[string]string{"s3.bucket.name": "b", "s3.region": "us-east-1", "store.url": srv.URL,
		"aws.access.key.id": "k", "aws.secret.access.key": "s", "flush.size": "4",
		"format.class": "io.confluent.connect.s3.format.json.JsonFormat"})
	if err != nil {
		t.Fatal(err)
	}
	opts := task.store.client.Options()
	opts.RetryMaxAttempts = 1 // the SDK's own retries would hide the failure
	task.store.client, task.store.partSize = s3.New(opts), partSize
	for try := 0; ; try++ {
		if err = task.Put(ctx, batch); !connectors.IsRetriable(err) || try == 5 {
			break
		}
	}
	var rejected []int64
	var rej *connectors.RejectedError
	if errors.As(err, &rej) {
		for _, r := range rej.Rejected {
			rejected = append(rejected, r.Record.Offset)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.seen < nth {
		t.Fatalf("only %d %s requests: the failure never happened", fake.seen, kind)
	}
	return fake.objects, rejected
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
			want, wantRejected := runRetrying(t, "", 0, c.partSize, batch)
			got, rejected := runRetrying(t, c.kind, c.nth, c.partSize, batch)
			if len(want) != 2 || len(got) != len(want) {
				t.Fatalf("%d objects, want %d", len(got), len(want))
			}
			for key, w := range want {
				if !bytes.Equal(got[key], w) {
					t.Errorf("%s:\n%s\nwant\n%s", key, got[key], w)
				}
			}
			if fmt.Sprint(rejected) != fmt.Sprint(wantRejected) || len(rejected) != 1 {
				t.Errorf("rejected offsets %v, want %v", rejected, wantRejected)
			}
		})
	}
}
