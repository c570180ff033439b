//go:build integration

package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
)

// TestForgedInvocationWritesNothing is issue 11 item 3's attack against a
// real worker (Redis state, Kafka, the real handler): a hand-made
// FileStreamSink invocation published on the subject asks it to copy a topic
// into a file of the attacker's choosing. Unsigned, signed with a key that is
// not the store's, or replayed at an old epoch, it is refused and the file
// is never written; the same invocation signed by the scheduler's key at the
// current epoch writes the 20 records, so the rig can see a write.
func TestForgedInvocationWritesNothing(t *testing.T) {
	seeds, redisURL := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("REDIS_URL")
	if seeds == "" || redisURL == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS and REDIS_URL must be set: run `eval \"$(localstack/up kafka redis)\"`")
	}
	ctx := t.Context()
	store, err := open.Open(ctx, redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: store,
		Seeds: strings.Split(seeds, ","), InstanceID: "worker-under-attack"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)

	name := fmt.Sprintf("forged-%d", time.Now().UnixNano()%1e9)
	produce20(t, h, store, name)

	nc := startNATS(t)
	w := NewWorker(startNATSClient(t, nc.ConnectedUrl()), h, NewVerifier(store), 1, nil)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for w.Serving() != nil {
		time.Sleep(5 * time.Millisecond)
	}

	target := filepath.Join(t.TempDir(), "attacker-chosen.txt")
	old, _ := store.NextEpoch(ctx, name+"-sink", 0)
	cur, _ := store.NextEpoch(ctx, name+"-sink", 0)
	sinkInv := func(epoch int64) wire.Invocation {
		return wire.Invocation{ID: fmt.Sprintf("%s-sink-0-%d", name, epoch), Connector: name + "-sink", Epoch: epoch,
			Class: "FileStreamSink", TaskCount: 1, Deadline: time.Now().Add(15 * time.Second),
			Config: map[string]string{"name": name + "-sink", "connector.class": "FileStreamSink", "topics": name,
				"file": target, "tasks.max": "1", "task.id": "0"}}
	}
	sign := func(s *Signer, inv wire.Invocation) []byte {
		b, err := s.Sign(ctx, inv)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	unsigned, _ := json.Marshal(sinkInv(cur))
	scheduler := NewSigner(store, 0)
	forger := NewSigner(testStore(t), 0)
	cases := []struct {
		name      string
		payload   []byte
		wantState string
		wantLines int
	}{
		{"unsigned", unsigned, wire.StateFailed, 0},
		{"signed with a key not in the store", sign(forger, sinkInv(cur)), wire.StateFailed, 0},
		{"scheduler-signed but replayed at an old epoch", sign(scheduler, sinkInv(old)), wire.StateFenced, 0},
		{"scheduler-signed at the current epoch (control)", sign(scheduler, sinkInv(cur)), wire.StateRunning, 20},
	}
	for _, tc := range cases {
		msg, err := nc.Request(wire.Subject, tc.payload, 30*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var res wire.Result
		if err := json.Unmarshal(msg.Data, &res); err != nil {
			t.Fatal(err)
		}
		lines := 0
		if b, err := os.ReadFile(target); err == nil {
			lines = strings.Count(string(b), "\n")
		}
		if res.State != tc.wantState || lines != tc.wantLines {
			t.Fatalf("%s: reply %s %q, %d lines in the target file; want %s and %d lines", tc.name, res.State, res.Trace, lines, tc.wantState, tc.wantLines)
		}
	}
}

// produce20 writes 20 datagen records to topic name through the handler.
func produce20(t *testing.T, h *functions.Handler, store state.Store, name string) {
	t.Helper()
	epoch, err := store.NextEpoch(t.Context(), name, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.Handle(t.Context(), wire.Invocation{ID: name + "-0", Connector: name, Epoch: epoch, Class: "DatagenConnector",
		Config: map[string]string{"name": name, "connector.class": "DatagenConnector", "kafka.topic": name,
			"quickstart": "orders", "iterations": "20", "max.interval": "0", "task.id": "0", "tasks.max": "1"},
		Deadline: time.Now().Add(20 * time.Second)})
	if err != nil || res.Written != 20 {
		t.Fatalf("producing 20 records: %+v %v", res, err)
	}
}
