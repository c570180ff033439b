package functions_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state/file"
)

// echoSource fails to open with its config's "path" in the message, as a
// task that cannot open a file names it.
type echoSource struct{}

func (echoSource) Open(_ context.Context, props map[string]string, _ connectors.OffsetReader) error {
	return errors.New("open " + props["path"] + ": permission denied")
}

func (echoSource) Poll(context.Context) ([]*connectors.Record, error) { return nil, nil }

// TestResolvedSecretsHiddenInTraceAndLogs checks that a value a placeholder
// resolved to, used as a file path, appears neither in the invocation's
// trace (stored as task status, shown by REST), nor in its error, nor in the
// function's log lines (issue 11 item 5).
func TestResolvedSecretsHiddenInTraceAndLogs(t *testing.T) {
	t.Setenv("FERRY_TEST_SECRET_PATH", "/vault/team-a/secret.txt")
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	plugin := connectors.Plugin{Class: "com.example.EchoSource", Type: connectors.TypeSource,
		NewSource: func() connectors.SourceTask { return echoSource{} }}
	h, err := functions.NewHandler(functions.Options{Plugins: connectors.NewRegistry(plugin), Store: store,
		Seeds: []string{"127.0.0.1:1"}, InstanceID: "unit", Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Worker: map[string]string{"config.providers": "env",
			"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	cfg := map[string]string{"name": "echo", "connector.class": plugin.Class, "topic": "t",
		"path": "${env:FERRY_TEST_SECRET_PATH}", "errors.log.enable": "true"}
	epoch, err := store.NextEpoch(context.Background(), "echo", 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.Handle(context.Background(), functions.Invocation{ID: "i", Connector: "echo", Epoch: epoch,
		Class: plugin.Class, Config: cfg, Deadline: time.Now().Add(5 * time.Second)})
	if err == nil || res.State == functions.StateRunning {
		t.Fatalf("the task opened: %+v", res)
	}
	for what, text := range map[string]string{"trace": res.Trace, "error": err.Error(), "logs": logs.String()} {
		if strings.Contains(text, "/vault/team-a/secret.txt") {
			t.Errorf("%s shows the resolved value: %s", what, text)
		}
	}
	if !strings.Contains(res.Trace, "open [hidden]: permission denied") {
		t.Errorf("trace %q does not say what failed", res.Trace)
	}
}
