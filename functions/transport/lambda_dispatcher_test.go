package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
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

func newBridge(t *testing.T, endpoint string, o LambdaOptions) *Lambda {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	cl, err := NewLambdaClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	o.Function = "function"
	l := NewLambda(cl, NewSigner(testStore(t), 0), o)
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
			l := newBridge(t, srv.URL, LambdaOptions{Retries: 2})
			res, err := l.Dispatch(context.Background(), wire.Invocation{ID: "c/0-1", Connector: "c",
				Deadline: time.Now().Add(time.Second)})
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantErr != nil {
				var re *connectors.RetriableError
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *connectors.RetriableError wrapping %v", err, tc.wantErr)
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
	l := newBridge(t, srv.URL, LambdaOptions{})
	res, err := l.Handle(context.Background(), wire.Invocation{ID: "x", Connector: "c", Task: 2, Epoch: 7})
	if err == nil || res.State != wire.StateRetrying || res.Trace == "" || res.Epoch != 7 || res.Task != 2 {
		t.Fatalf("got %+v, %v; want a RETRYING result with the trace", res, err)
	}
}

// slowLambda stands in for the Lambda API: each call takes a while (in the
// synctest bubble's fake time) and records how many were in flight, per
// connector and in total.
type slowLambda struct {
	mu              sync.Mutex
	inFlight, peak  map[string]int
	total, peakTotl int
}

func (f *slowLambda) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	var inv wire.Invocation
	_ = json.Unmarshal(in.Payload, &inv)
	f.mu.Lock()
	f.inFlight[inv.Connector]++
	f.total++
	f.peak[inv.Connector] = max(f.peak[inv.Connector], f.inFlight[inv.Connector])
	f.peakTotl = max(f.peakTotl, f.total)
	f.mu.Unlock()
	time.Sleep(30 * time.Millisecond) // fake time: the bubble advances it once every call waits
	f.mu.Lock()
	f.inFlight[inv.Connector]--
	f.total--
	f.mu.Unlock()
	return &lambda.InvokeOutput{Payload: []byte(`{"state":"RUNNING"}`)}, nil
}

func TestLambdaInFlightBounds(t *testing.T) {
	cases := []struct {
		name                string
		o                   LambdaOptions
		calls               int
		wantPeak, wantTotal int
	}{
		{name: "per connector", o: LambdaOptions{Concurrency: 2}, calls: 12, wantPeak: 2, wantTotal: 4},
		{name: "in total", o: LambdaOptions{Concurrency: 4, MaxInFlight: 1}, calls: 8, wantPeak: 1, wantTotal: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &slowLambda{inFlight: map[string]int{}, peak: map[string]int{}}
				tc.o.Function = "function"
				l := NewLambda(f, NewSigner(testStore(t), 0), tc.o)
				var wg sync.WaitGroup
				for i := range tc.calls {
					wg.Go(func() {
						inv := wire.Invocation{Connector: []string{"a", "b"}[i%2], Deadline: time.Now().Add(time.Second)}
						if _, err := l.Dispatch(context.Background(), inv); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if f.peak["a"] != tc.wantPeak || f.peak["b"] != tc.wantPeak || f.peakTotl != tc.wantTotal {
					t.Fatalf("peak in flight per connector %v, in total %d; want %d each, %d in total", f.peak, f.peakTotl, tc.wantPeak, tc.wantTotal)
				}
			})
		})
	}
}
