package lambdarun

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state/open"
)

// TestRunStoreFails: a state store that cannot be opened stops the function
// at start with the cause (the store is opened while the handler is built).
func TestRunStoreFails(t *testing.T) {
	for _, tc := range []struct {
		name, state string
		is          error
		msg         string
	}{
		{name: "unknown spec", state: "bogus://x", is: open.ErrUnknownSpec},
		{name: "redis unreachable", state: "redis://127.0.0.1:1/0", msg: "connect to redis state store 127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LAMBDA_TASK_ROOT", t.TempDir())
			t.Setenv("FERRY_STATE", tc.state)
			t.Setenv("FERRY_BOOTSTRAP_SERVERS", "127.0.0.1:1")
			err := Run(context.Background(), Plugins{Connectors: connectors.NewRegistry()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Run = %v, want an error (%v) containing %q", err, tc.is, tc.msg)
			}
		})
	}
}
