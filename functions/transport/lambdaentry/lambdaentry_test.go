package lambdaentry

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ferryhq/ferry/functions/transport/signing"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state/file"
)

// recordingInvoker records the invocation it was given and answers RUNNING.
type recordingInvoker struct{ got *wire.Invocation }

func (r recordingInvoker) Handle(_ context.Context, inv wire.Invocation) (wire.Result, error) {
	*r.got = inv
	return wire.Result{ID: inv.ID, State: wire.StateRunning, InstanceID: "host:1"}, nil
}

func TestLambdaEntryInvoke(t *testing.T) {
	now := time.Now()
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	signer := signing.NewSigner(store, 0)
	invJSON := func(t *testing.T, deadline time.Time) string {
		b, err := signer.Sign(t.Context(), wire.Invocation{ID: "c/0-1", Connector: "c", Class: "FileStreamSource", Deadline: deadline})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name       string
		payload    string
		lambdaLeft time.Duration // Lambda deadline from now
		wantState  string
		wantTrace  string
		// wantDeadline is the deadline handed to the handler, relative to now.
		wantDeadline time.Duration
	}{
		{name: "not JSON", payload: `{"connector":`, lambdaLeft: time.Minute, wantState: wire.StateFailed, wantTrace: "malformed invocation payload"},
		{name: "wrong type", payload: `[1,2]`, lambdaLeft: time.Minute, wantState: wire.StateFailed, wantTrace: "malformed invocation payload"},
		{name: "no connector", payload: `{"id":"x"}`, lambdaLeft: time.Minute, wantState: wire.StateFailed, wantTrace: "connector and connector_class are required"},
		{name: "unsigned", payload: unsignedJSON(t, now.Add(time.Minute)), lambdaLeft: time.Minute, wantState: wire.StateFailed, wantTrace: "not signed"},
		{name: "lambda deadline first", payload: invJSON(t, now.Add(time.Minute)), lambdaLeft: 10 * time.Second,
			wantState: wire.StateRunning, wantDeadline: 10*time.Second - 500*time.Millisecond},
		{name: "invocation deadline first", payload: invJSON(t, now.Add(3*time.Second)), lambdaLeft: 10 * time.Second,
			wantState: wire.StateRunning, wantDeadline: 3 * time.Second},
		{name: "short lambda: margin at most half", payload: invJSON(t, now.Add(time.Minute)), lambdaLeft: 600 * time.Millisecond,
			wantState: wire.StateRunning, wantDeadline: 300 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got wire.Invocation
			e := NewLambdaEntry(recordingInvoker{&got}, signing.NewVerifier(store), 0)
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-42"})
			ctx, cancel := context.WithDeadline(ctx, now.Add(tc.lambdaLeft))
			defer cancel()
			out, err := e.Invoke(ctx, []byte(tc.payload))
			if err != nil {
				t.Fatalf("Invoke returned a function error %v; want a Result", err)
			}
			var res wire.Result
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("response %q is not a Result: %v", out, err)
			}
			if res.State != tc.wantState || !strings.Contains(res.Trace, tc.wantTrace) || res.InstanceID != "req-42" {
				t.Fatalf("result %+v; want state %s, trace containing %q, instance id req-42", res, tc.wantState, tc.wantTrace)
			}
			if tc.wantDeadline != 0 {
				if d := got.Deadline.Sub(now); d < tc.wantDeadline-20*time.Millisecond || d > tc.wantDeadline+20*time.Millisecond {
					t.Fatalf("handler deadline now+%s, want now+%s", d, tc.wantDeadline)
				}
			}
		})
	}
}

func unsignedJSON(t *testing.T, deadline time.Time) string {
	b, err := json.Marshal(wire.Invocation{ID: "c/0-1", Connector: "c", Class: "FileStreamSource", Deadline: deadline})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
