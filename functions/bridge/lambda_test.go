package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
)

// reply is one canned answer of the stand-in Lambda service.
type reply struct {
	status  int
	headers map[string]string
	body    string
}

var (
	okReply = reply{status: 200, headers: map[string]string{"X-Amzn-RequestId": "req-1"},
		body: `{"id":"c/0-1","state":"RUNNING","records_read":5}`}
	throttleReply = reply{status: 429, headers: map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException"},
		body: `{"Type":"User","message":"Rate Exceeded."}`}
)

// standIn serves canned replies in order (the last one repeats). It stands in
// for the Lambda service, whose throttling and error headers the runtime
// interface emulator cannot produce; the emulator path is tested in
// lambda_integration_test.go.
func standIn(t *testing.T, replies ...reply) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if want := "/2015-03-31/functions/function/invocations"; r.URL.Path != want {
			t.Errorf("SDK sent %s %s, the emulator serves %s", r.Method, r.URL.Path, want)
		}
		n := int(calls.Add(1)) - 1
		rp := replies[min(n, len(replies)-1)]
		for k, v := range rp.headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		_, _ = w.Write([]byte(rp.body))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func newBridge(t *testing.T, endpoint string, o Options) *Lambda {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	cl, err := NewClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	o.Function = "function"
	l := New(cl, o)
	l.sleep = func(context.Context, time.Duration) error { return nil }
	return l
}

func TestDispatch(t *testing.T) {
	cases := []struct {
		name      string
		replies   []reply
		wantCalls int32
		wantErr   error
		wantID    string
	}{
		{name: "ok, request id as instance id", replies: []reply{okReply}, wantCalls: 1, wantID: "req-1"},
		{name: "throttled twice then ok", replies: []reply{throttleReply, throttleReply, okReply}, wantCalls: 3, wantID: "req-1"},
		{name: "throttled for good", replies: []reply{throttleReply}, wantCalls: 3, wantErr: ErrThrottled},
		{name: "function error", replies: []reply{{status: 200, headers: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body: `{"errorMessage":"boom","errorType":"Runtime.ExitError"}`}}, wantCalls: 1, wantErr: ErrFunction},
		{name: "emulator timeout text", replies: []reply{{status: 200, body: "Task timed out after 3.00 seconds"}},
			wantCalls: 1, wantErr: ErrFunction},
		{name: "result from the function keeps its instance id", replies: []reply{{status: 200,
			body: `{"state":"RUNNING","instance_id":"from-fn"}`}}, wantCalls: 1, wantID: "from-fn"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := standIn(t, tc.replies...)
			l := newBridge(t, srv.URL, Options{Retries: 2})
			res, err := l.Dispatch(context.Background(), functions.Invocation{ID: "c/0-1", Connector: "c",
				Deadline: time.Now().Add(time.Second)})
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantErr != nil {
				var re *RetriableError
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *RetriableError wrapping %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || res.InstanceID != tc.wantID {
				t.Fatalf("got %+v, %v; want instance id %q", res, err, tc.wantID)
			}
		})
	}
}

func TestHandleTurnsFailuresIntoRetryingResults(t *testing.T) {
	srv, _ := standIn(t, reply{status: 500, body: `{"message":"internal"}`})
	l := newBridge(t, srv.URL, Options{})
	res, err := l.Handle(context.Background(), functions.Invocation{ID: "x", Connector: "c", Task: 2, Epoch: 7})
	if err == nil || res.State != functions.StateRetrying || res.Trace == "" || res.Epoch != 7 || res.Task != 2 {
		t.Fatalf("got %+v, %v; want a RETRYING result with the trace", res, err)
	}
}

func TestConcurrencyPerConnector(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := map[string]int{}, map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var inv functions.Invocation
		_ = json.NewDecoder(r.Body).Decode(&inv)
		conn := inv.Connector
		mu.Lock()
		inFlight[conn]++
		peak[conn] = max(peak[conn], inFlight[conn])
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inFlight[conn]--
		mu.Unlock()
		_, _ = w.Write([]byte(`{"state":"RUNNING"}`))
	}))
	defer srv.Close()
	l := newBridge(t, srv.URL, Options{Concurrency: 2})
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := []string{"a", "b"}[i%2]
			if _, err := l.Dispatch(context.Background(), functions.Invocation{Connector: conn}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if peak["a"] != 2 || peak["b"] != 2 {
		t.Fatalf("peak in flight per connector = %v, want 2 each", peak)
	}
}

func TestMaxInFlight(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		_, _ = w.Write([]byte(`{"state":"RUNNING"}`))
	}))
	defer srv.Close()
	l := newBridge(t, srv.URL, Options{Concurrency: 4, MaxInFlight: 1})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Dispatch(context.Background(), functions.Invocation{Connector: []string{"a", "b"}[i%2]}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if peak != 1 {
		t.Fatalf("peak in flight = %d, want 1", peak)
	}
}
