//go:build integration

package functions_test

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state/file"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchRecords is the size of each benchmark pipeline run.
const benchRecords = 200_000

// cpuTime is the user+system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchHandler is a Handler on the real Kafka with file state in a temp dir;
// opts are extra client options (hooks).
func benchHandler(b *testing.B, opts ...kgo.Opt) (*functions.Handler, *file.Store, []string) {
	b.Helper()
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	st, err := file.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: st, Seeds: strings.Split(seeds, ","), InstanceID: "bench", Worker: jsonWorker, KafkaOpts: opts})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h, st, strings.Split(seeds, ",")
}

// jsonWorker makes values plain JSON (schemas.enable=false): about 200 bytes per order.
var jsonWorker = map[string]string{
	"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
	"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
}

// runAll invokes until the task reports no more data, like the scheduler does.
func runAll(b *testing.B, h *functions.Handler, st *file.Store, inv functions.Invocation) int {
	total := 0
	for {
		epoch, err := st.NextEpoch(context.Background(), inv.Connector, inv.Task)
		if err != nil {
			b.Fatal(err)
		}
		inv.Epoch, inv.Deadline = epoch, time.Now().Add(30*time.Second)
		res, err := h.Handle(context.Background(), inv)
		if err != nil {
			b.Fatalf("invocation %d: %v", epoch, err)
		}
		total += int(res.Written)
		if !res.More {
			return total
		}
	}
}
