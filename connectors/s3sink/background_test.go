package s3sink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// orders are n records of topic orders from offset from, about 33 bytes
// each as JSON.
func orders(from, n int) []*connectors.Record {
	batch := make([]*connectors.Record, n)
	for i := range batch {
		off := from + i
		batch[i] = &connectors.Record{Topic: "orders", Offset: int64(off), Value: fmt.Sprintf("order %d %s", off, strings.Repeat("x", 20))}
	}
	return batch
}

// A set that fails in the background, met by the next Put (the runtime
// retries that Put) or by Flush (the runtime retries Flush), is sent again
// from its bytes: the objects are a clean run's, byte for byte, and each
// rejected record is reported once.
func TestBackgroundFailureIsRetried(t *testing.T) {
	batch := orders(0, 9)
	batch[2].Value = nil // rejected
	cases := []struct {
		name             string
		kind             string
		nth, partSize    int
		putFail, flushFl int
	}{
		{"first PutObject, met by the next Put", "put", 1, 1 << 20, 1, 0},
		{"last PutObject, met by Flush", "put", 2, 1 << 20, 0, 1},
		{"first CompleteMultipartUpload, met by the next Put", "complete", 1, 64, 1, 0},
		{"last CompleteMultipartUpload, met by Flush", "complete", 2, 64, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := retrying{partSize: c.partSize, per: 2, settle: true}
			want := runRetrying(t, run, batch)
			run.kind, run.nth = c.kind, c.nth
			got := runRetrying(t, run, batch)
			sameRun(t, got, want)
			if got.putFailures != c.putFail || got.flushFailed != c.flushFl {
				t.Errorf("%d Put and %d Flush failures, want %d and %d", got.putFailures, got.flushFailed, c.putFail, c.flushFl)
			}
			if len(got.rejected) != 1 {
				t.Errorf("rejected offsets %v, want one", got.rejected)
			}
		})
	}
}

// gatedS3 is fakeS3 holding every PutObject until open is closed or the
// client gives up; puts (when not nil) counts the PutObject requests received.
type gatedS3 struct {
	*fakeS3
	open chan struct{}
	puts *atomic.Int32
}

func (g gatedS3) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if requestKind(req) == "put" {
		if g.puts != nil {
			g.puts.Add(1)
		}
		select {
		case <-g.open:
		case <-req.Context().Done():
			return
		}
	}
	g.fakeS3.ServeHTTP(w, req)
}

// While S3 has not answered, Committable holds the partition back at the
// first record of the oldest set sent, at most maxSetsInFlight sets are
// sent at once (committing one more waits, here until the Put's context
// ends), and Close stops the goroutines sending: nothing more is sent. (A
// request already on the wire may still be completed by the server, as S3
// may: the offsets were not committed and the next invocation writes the
// same keys again. The server here may or may not see the client give up
// before the gate opens, so the test does not count on either.)
func TestUnwrittenSetsAreHeldBack(t *testing.T) {
	gate := gatedS3{fakeS3: &fakeS3{objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}, open: make(chan struct{}),
		puts: new(atomic.Int32)}
	srv := httptest.NewServer(gate)
	defer srv.Close()
	task, ctx := openOnFake(t, srv.URL, 1<<20)
	tp := connectors.TopicPartition{Topic: "orders"}
	if err := task.Put(ctx, orders(100, 9)); err != nil { // sets 100-103 and 104-107 sent
		t.Fatal(err)
	}
	if got := task.Committable(); got[tp] != 100 || len(got) != 1 {
		t.Fatalf("Committable %v while S3 has no object, want %v: 100", got, tp)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err := task.Put(short, orders(109, 4)) // 108-111 due: a third set
	if !connectors.IsRetriable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put of a third set with two in flight: %v, want a retriable deadline", err)
	}
	sent := task.tps[tp].sent
	if len(sent) != maxSetsInFlight {
		t.Fatalf("%d sets sent, want %d", len(sent), maxSetsInFlight)
	}
	if err := task.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range sent {
		select {
		case <-s.done:
		default:
			t.Fatal("Close returned while a set was being sent")
		}
	}
	close(gate.open)
	srv.Close() // waits for the requests held
	if n := gate.puts.Load(); n != maxSetsInFlight {
		t.Errorf("%d PutObject requests, want the %d sent before Close", n, maxSetsInFlight)
	}
	for key := range gate.objects {
		if strings.Contains(key, "orders+0+0000000108") {
			t.Errorf("the set held back by the slots was sent: %s", key)
		}
	}
}

// Flush waits for the sets being sent: once it returns, their objects are
// in S3 and nothing is held back.
func TestFlushWaitsForSetsSent(t *testing.T) {
	gate := gatedS3{fakeS3: &fakeS3{objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}, open: make(chan struct{})}
	srv := httptest.NewServer(gate)
	defer srv.Close()
	task, ctx := openOnFake(t, srv.URL, 1<<20)
	defer task.Close()
	if err := task.Put(ctx, orders(0, 8)); err != nil {
		t.Fatal(err)
	}
	close(gate.open)
	if err := task.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if held := task.Committable(); len(held) != 0 {
		t.Fatalf("Committable %v after Flush", held)
	}
	gate.mu.Lock()
	defer gate.mu.Unlock()
	if len(gate.objects) != 2 {
		t.Fatalf("%d objects after Flush, want 2", len(gate.objects))
	}
}
