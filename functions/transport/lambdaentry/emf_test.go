package lambdaentry

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

type fixedInvoker wire.Result

func (f fixedInvoker) Handle(context.Context, wire.Invocation) (wire.Result, error) {
	return wire.Result(f), nil
}

// TestEMFGolden pins the CloudWatch Embedded Metric Format line of one
// invocation: one JSON document per line whose _aws directive follows
// CloudWatch's schema (namespace, dimension sets, metric names and units)
// and names only metrics the document carries as numbers.
func TestEMFGolden(t *testing.T) {
	res := wire.Result{ID: "orders-1-42", Connector: "orders", Task: 1, Epoch: 42, Read: 500, Written: 490, Failed: 10,
		Committed: 1, Lag: 7, State: wire.StateRunning, Duration: 1500 * time.Millisecond, InstanceID: "req-1",
		Errors: wire.ErrorCounts{DLQRequests: 10, Retries: 2}}
	var out bytes.Buffer
	e := NewEMF(fixedInvoker(res), &out, "ferry-test")
	e.now = func() time.Time { return time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) }
	for range 2 {
		if _, err := e.Handle(context.Background(), wire.Invocation{ID: "orders-1-42", Connector: "orders", Task: 1, Epoch: 42}); err != nil {
			t.Fatal(err)
		}
	}
	lines := bytes.SplitAfter(out.Bytes(), []byte("\n"))
	if len(lines) != 3 || len(lines[2]) != 0 || !bytes.Equal(lines[0], lines[1]) {
		t.Fatalf("want two identical lines, got %q", out.String())
	}
	var doc struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	if err := json.Unmarshal(lines[0], &doc); err != nil || len(doc.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("not an EMF document (%v): %s", err, lines[0])
	}
	var fields map[string]any
	_ = json.Unmarshal(lines[0], &fields)
	for _, m := range doc.AWS.CloudWatchMetrics[0].Metrics {
		if _, ok := fields[m.Name].(float64); !ok {
			t.Errorf("metric %s has no numeric value in the document", m.Name)
		}
	}
	path := filepath.Join("testdata", "emf.golden")
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, lines[0], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(lines[0], want) {
		t.Errorf("EMF line changed:\n got %s\nwant %s", lines[0], want)
	}
}
