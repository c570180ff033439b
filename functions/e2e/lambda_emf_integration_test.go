//go:build integration

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/state/open"
)

// TestLambdaEMF invokes the Lambda function (ferry's bootstrap in the runtime
// interface emulator) once and finds in its output the CloudWatch Embedded
// Metric Format line of that invocation, with the Result's counts.
func TestLambdaEMF(t *testing.T) {
	emu := startEmulator(t, 30)
	cl, err := transport.NewLambdaClient(context.Background(), emu.endpoint)
	if err != nil {
		t.Fatal(err)
	}
	name := uniqueName("emf")
	store, err := open.Open(context.Background(), needLambda(t).state)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	d := transport.NewLambda(cl, transport.NewSigner(store, 0), transport.LambdaOptions{Function: "function", MaxInFlight: 1})
	epoch, err := store.NextEpoch(context.Background(), name, 0) // as the scheduler takes one per dispatch
	if err != nil {
		t.Fatal(err)
	}
	inv := functions.Invocation{ID: name + "-0-1", Connector: name, Epoch: epoch,
		Class:    "io.confluent.kafka.connect.datagen.DatagenConnector",
		Config:   map[string]string{"name": name, "connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector", "kafka.topic": name, "quickstart": "orders", "iterations": "25", "max.interval": "0", "random.seed": "7"},
		Deadline: time.Now().Add(10 * time.Second), MaxRecords: 100}
	res, err := d.Dispatch(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the emulator relays the function's stdout asynchronously
	emu.stop()
	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(emu.out.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if s := sc.Text(); strings.Contains(s, `"_aws"`) && strings.Contains(s, inv.ID) {
			if err := json.Unmarshal([]byte(s[strings.Index(s, "{"):]), &line); err != nil {
				t.Fatalf("EMF line is not JSON (%v): %s", err, s)
			}
		}
	}
	if line == nil {
		t.Fatalf("no EMF line for %s in the function's output:\n%s", inv.ID, tail(emu.out.String(), 3000))
	}
	t.Logf("result %s read=%d written=%d trace=%.300s; EMF line %v", res.State, res.Read, res.Written, res.Trace, line)
	if res.State != functions.StateRunning || res.Written != 25 {
		t.Errorf("invocation %s wrote %d records, want RUNNING and 25", res.State, res.Written)
	}
	if line["Connector"] != name || line["Outcome"] != res.State || line["RecordsRead"] != float64(res.Read) ||
		line["RecordsWritten"] != float64(res.Written) || line["Invocations"] != float64(1) {
		t.Errorf("EMF line %v does not match the result %+v", line, res)
	}
}
