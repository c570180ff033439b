package transport

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/transport/signing"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
)

// testStore opens a file state store in a temporary directory.
func testStore(tb testing.TB) *file.Store {
	tb.Helper()
	s, err := file.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// countingInvoker counts the invocations that reached it and answers RUNNING.
type countingInvoker struct{ n atomic.Int32 }

func (c *countingInvoker) Handle(_ context.Context, inv wire.Invocation) (wire.Result, error) {
	c.n.Add(1)
	return wire.Result{ID: inv.ID, Connector: inv.Connector, Task: inv.Task, Epoch: inv.Epoch, State: wire.StateRunning}, nil
}

// issue 11 item 3: a hand-made invocation published on the subject — unsigned,
// signed with another key, altered, or replayed at an old epoch — never
// reaches the handler; it gets a FAILED or FENCED reply naming the cause.
func TestWorkerAdmitsOnlySignedCurrentInvocations(t *testing.T) {
	store := testStore(t)
	nc := startNATS(t)
	inv := &countingInvoker{}
	w := NewWorker(startNATSClient(t, nc.ConnectedUrl()), inv, NewVerifier(store), 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for w.Serving() != nil {
		time.Sleep(5 * time.Millisecond)
	}
	signer := NewSigner(store, 0)
	other := NewSigner(testStore(t), 0) // another cluster's store: another key
	old, _ := store.NextEpoch(t.Context(), "orders", 0)
	cur, _ := store.NextEpoch(t.Context(), "orders", 0)
	mk := func(epoch int64) wire.Invocation {
		return wire.Invocation{ID: "orders-0", Connector: "orders", Epoch: epoch, Class: "FileStreamSink",
			Config: map[string]string{"file": "/tmp/attacker.txt"}, Deadline: time.Now().Add(time.Minute)}
	}
	sign := func(s *Signer, i wire.Invocation) []byte {
		b, err := s.Sign(t.Context(), i)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	unsigned, _ := json.Marshal(mk(cur))
	cases := []struct {
		name      string
		payload   []byte
		wantState string
		wantTrace string
		wantRuns  int32
	}{
		{"unsigned", unsigned, wire.StateFailed, "not signed", 0},
		{"signed with another store's key", sign(other, mk(cur)), wire.StateFailed, "does not verify", 0},
		{"altered after signing", []byte(strings.Replace(string(sign(signer, mk(cur))), "attacker", "victim", 1)), wire.StateFailed, "does not verify", 0},
		{"replayed at an older epoch", sign(signer, mk(old)), wire.StateFenced, "fenced", 0},
		{"signed at the current epoch runs", sign(signer, mk(cur)), wire.StateRunning, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := inv.n.Load()
			msg, err := nc.Request(wire.Subject, tc.payload, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var res wire.Result
			if err := json.Unmarshal(msg.Data, &res); err != nil {
				t.Fatal(err)
			}
			if res.State != tc.wantState || !strings.Contains(res.Trace, tc.wantTrace) {
				t.Errorf("reply %s %q; want %s with %q", res.State, res.Trace, tc.wantState, tc.wantTrace)
			}
			if got := inv.n.Load() - before; got != tc.wantRuns {
				t.Errorf("handler ran %d times, want %d", got, tc.wantRuns)
			}
		})
	}
}

// TestVerifierStoreDown: when the keys cannot be read the invocation is
// refused as RETRYING, and nothing runs.
func TestVerifierStoreDown(t *testing.T) {
	store := testStore(t)
	payload, err := NewSigner(store, 0).Sign(t.Context(), wire.Invocation{ID: "x", Connector: "c", Class: "X"})
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier(downStore{})
	_, refused := signing.Admit(t.Context(), v, payload, slog.New(slog.DiscardHandler))
	if refused == nil || refused.State != wire.StateRetrying {
		t.Fatalf("reply %+v; want RETRYING", refused)
	}
}

type downStore struct{}

func (downStore) SigningKeys(context.Context) (state.SigningKeys, error) {
	return state.SigningKeys{}, state.Retriable(errors.New("dial tcp 127.0.0.1:6379: connection refused"))
}

func (downStore) CheckEpoch(context.Context, string, int, int64) error { return nil }
