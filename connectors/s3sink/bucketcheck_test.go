package s3sink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// bucketAnswer is a stand-in S3 that answers the bucket check (HEAD, then a
// one-key listing for the error code) with status and code, once gate (when
// set) is closed; every other request succeeds empty.
type bucketAnswer struct {
	status int
	code   string
	gate   chan struct{}
}

func (b bucketAnswer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	check := req.Method == http.MethodHead || (req.Method == http.MethodGet && req.URL.Query().Get("list-type") == "2")
	if !check {
		return
	}
	if b.gate != nil {
		<-b.gate
	}
	w.WriteHeader(b.status)
	if req.Method == http.MethodGet && b.code != "" {
		fmt.Fprintf(w, `<Error><Code>%s</Code><Message>stand-in</Message></Error>`, b.code)
	}
}

// TestBucketCheck: Open does not wait for the bucket check; Flush does, and
// returns a missing bucket or refused credentials naming what to fix, even
// when nothing was written; once the refusal is known Put returns it too. A
// check that failed in a way that may pass fails nothing.
func TestBucketCheck(t *testing.T) {
	cases := []struct {
		name   string
		status int
		code   string
		want   error
		says   string
	}{
		{"bucket there", http.StatusOK, "", nil, ""},
		{"missing bucket", http.StatusNotFound, "NoSuchBucket", ErrBucket, "s3.bucket.name"},
		{"refused credentials", http.StatusForbidden, "InvalidAccessKeyId", ErrCredentials, "aws.access.key.id"},
		{"store busy", http.StatusServiceUnavailable, "SlowDown", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gate := make(chan struct{})
			srv := httptest.NewServer(bucketAnswer{status: c.status, code: c.code, gate: gate})
			defer srv.Close()
			task, ctx := NewTask(), context.Background()
			opened := make(chan error, 1)
			go func() {
				opened <- task.Open(ctx, map[string]string{"s3.bucket.name": "b", "s3.region": "us-east-1", "store.url": srv.URL,
					"aws.access.key.id": "k", "aws.secret.access.key": "s", "flush.size": "4",
					"format.class": "io.confluent.connect.s3.format.json.JsonFormat"})
			}()
			select {
			case err := <-opened:
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
			case <-time.After(10 * time.Second): // a guard against a hang, not a timing assertion
				t.Fatal("Open waited for the bucket check")
			}
			defer task.Close()
			close(gate)
			err := task.Flush(ctx)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) || !strings.Contains(fmt.Sprint(err), c.says) {
				t.Fatalf("Flush: %v, want %v saying %q", err, c.want, c.says)
			}
			if err := task.Put(ctx, nil); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("Put after the check: %v, want %v", err, c.want)
			}
		})
	}
}
