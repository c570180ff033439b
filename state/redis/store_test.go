package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// replyError is a Redis error reply, as go-redis returns it.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		retriable bool
	}{
		{"nil", nil, false},
		{"not found", redis.Nil, false},
		{"eof", io.EOF, true},
		{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"dial", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", context.Canceled, false},
		{"client closed", redis.ErrClosed, false},
		{"pool timeout", errors.New("redis: connection pool timeout"), true},
		{"loading", replyError("LOADING Redis is loading the dataset in memory"), true},
		{"readonly", replyError("READONLY You can't write against a read only replica."), true},
		{"busy script", replyError("BUSY Redis is busy running a script."), true},
		{"wrong type", replyError("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{"script error", replyError("ERR user_script:1: Script attempted to access nonexistent global variable"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			var r *connectors.RetriableError
			if errors.As(got, &r) != tt.retriable {
				t.Fatalf("classify(%v) = %v, retriable %v, want %v", tt.err, got, !tt.retriable, tt.retriable)
			}
			if tt.err != nil && !errors.Is(got, tt.err) {
				t.Fatalf("classify(%v) = %v lost its cause", tt.err, got)
			}
		})
	}
}

func TestCommitArgs(t *testing.T) {
	args, err := commitArgs("my-conn", 3, 42, []state.OffsetEntry{
		{Partition: map[string]any{"filename": "/tmp/a.txt"}, Offset: map[string]any{"position": int64(5)}},
		{Partition: map[string]any{"filename": "/tmp/b.txt"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range args {
		switch v := a.(type) {
		case string:
			got = append(got, v)
		case []byte:
			got = append(got, string(v))
		}
	}
	want := []string{"3", "42",
		"s", `["my-conn",{"filename":"/tmp/a.txt"}]`, `{"position":5}`,
		"d", `["my-conn",{"filename":"/tmp/b.txt"}]`, ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("commitArgs = %q, want %q", got, want)
	}
	if _, err := commitArgs("c", 0, 1, []state.OffsetEntry{{Offset: map[string]any{"p": 1}}}); err == nil {
		t.Fatal("entry without partition accepted")
	}
}

func TestKeys(t *testing.T) {
	s := New(nil, Options{})
	tests := []struct{ got, want string }{
		{s.connectorsKey(), "ferry:connectors"},
		{s.statusKey("c:1"), "ferry:status:c:1"},
		{s.epochKey("c"), "ferry:epoch:c"},
		{s.offsetsKey("c"), "ferry:offsets:c"},
		{New(nil, Options{Prefix: "run42:"}).epochKey("c"), "run42:epoch:c"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

// TestUnreachableIsRetriable points a store at a closed port: every call
// must fail fast with a *connectors.RetriableError, as during a Redis outage.
func TestUnreachableIsRetriable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Open(ctx, "redis://127.0.0.1:1/0", Options{}); !isRetriableErr(err) {
		t.Fatalf("Open of a closed port = %v, want a RetriableError", err)
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer client.Close()
	s := New(client, Options{})
	calls := map[string]error{
		"PutConnector":    s.PutConnector(ctx, state.ConnectorRecord{Name: "a"}),
		"NextEpoch":       second(s.NextEpoch(ctx, "a", 0)),
		"CheckEpoch":      s.CheckEpoch(ctx, "a", 0, 1),
		"CommitOffsets":   s.CommitOffsets(ctx, "a", 0, 1, []state.OffsetEntry{{Partition: map[string]any{"f": "x"}}}),
		"ReadOffsets":     second(s.ReadOffsets(ctx, "a")),
		"Connector":       second(s.Connector(ctx, "a")),
		"DeleteConnector": s.DeleteConnector(ctx, "a"),
		"TaskStatuses":    second(s.TaskStatuses(ctx, "a")),
	}
	for name, err := range calls {
		if !isRetriableErr(err) || errors.Is(err, state.ErrFenced) || errors.Is(err, state.ErrNotFound) {
			t.Errorf("%s against a closed port = %v, want only a RetriableError", name, err)
		}
	}
}

func isRetriableErr(err error) bool {
	var r *connectors.RetriableError
	return errors.As(err, &r)
}

func second[T any](_ T, err error) error { return err }
