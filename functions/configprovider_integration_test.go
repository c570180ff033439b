//go:build integration

package functions_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/configprovider"
	"github.com/ferryhq/ferry/functions"
)

// A task config holding config-provider placeholders runs with the secrets
// resolved inside the function; a failed lookup fails the task naming the
// placeholder, never the secret.
func TestConfigProvidersResolvedInFunction(t *testing.T) {
	store := redisStore(t)
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.properties")
	name := fmt.Sprintf("secrets-%d", time.Now().UnixNano()%1e9)
	if err := os.WriteFile(secrets, []byte("topic="+name+"\nquickstart: orders\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FERRY_TEST_ITERATIONS", "25")
	worker := map[string]string{"config.providers": "file,env",
		"config.providers.file.class": configprovider.FileClass, "config.providers.env.class": configprovider.EnvClass}
	h := realHandlerWith(t, store, "worker-secrets", worker)
	inv := functions.Invocation{ID: name + "-0-1", Connector: name, Task: 0, Epoch: 1, Class: "DatagenConnector",
		Config: map[string]string{"name": name, "connector.class": "DatagenConnector", "task.id": "0", "tasks.max": "1",
			"kafka.topic": "${file:" + secrets + ":topic}", "quickstart": "${file:" + secrets + ":quickstart}",
			"iterations": "${env:FERRY_TEST_ITERATIONS}", "max.interval": "0"},
		Deadline: time.Now().Add(20 * time.Second), MaxRecords: 1000}
	if _, err := store.NextEpoch(context.Background(), name, 0); err != nil {
		t.Fatal(err)
	}
	res, err := h.Handle(context.Background(), inv)
	if err != nil || res.Written != 25 {
		t.Fatalf("resolved run: %+v err %v, want 25 records written", res, err)
	}
	if !strings.HasPrefix(inv.Config["kafka.topic"], "${file:") {
		t.Fatalf("the caller's config was changed: %v", inv.Config)
	}

	bad := inv
	bad.Config = map[string]string{"name": name, "connector.class": "DatagenConnector",
		"kafka.topic": "${file:" + secrets + ":missing}", "quickstart": "${file:" + secrets + ":quickstart}"}
	res, err = h.Handle(context.Background(), bad)
	ref := "${file:" + secrets + ":missing}"
	if !errors.Is(err, configprovider.ErrUnresolved) || res.State != functions.StateFailed || !strings.Contains(res.Trace, ref) {
		t.Fatalf("failed lookup: state %s trace %q err %v; want FAILED naming %s", res.State, res.Trace, err, ref)
	}
	if strings.Contains(res.Trace, name) || strings.Contains(res.Trace, "orders") {
		t.Fatalf("trace reveals a secret value: %q", res.Trace)
	}
}
