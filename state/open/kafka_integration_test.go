//go:build integration

package open

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	"github.com/ferryhq/ferry/state/kafka"
)

// TestOpenKafkaFromWorker: FERRY_STATE=kafka takes the worker's bootstrap
// servers, group.id and *.storage.* keys, as a connect-distributed.properties
// names them.
func TestOpenKafkaFromWorker(t *testing.T) {
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	p := fmt.Sprintf("open-it-%d", time.Now().UnixNano()%1e9)
	props := fmt.Sprintf("bootstrap.servers=%s\ngroup.id=%s\nconfig.storage.topic=%s-c\noffset.storage.topic=%s-o\nstatus.storage.topic=%s-s\n"+
		"config.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n"+
		"offset.storage.partitions=2\nstatus.storage.partitions=1\n", seeds, p, p, p, p)
	file := t.TempDir() + "/worker.properties"
	if err := os.WriteFile(file, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FERRY_STATE": "kafka"}
	w, err := workerconfig.Load(context.Background(), []string{file}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := ForWorker(ctx, w.State, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := s.(*kafka.Store).Topics()
	want := kafka.Topics{Config: p + "-c", Offsets: p + "-o", Status: p + "-s", Ferry: p + "-c.ferry",
		ConfigRF: 1, OffsetsRF: 1, StatusRF: 1, OffsetsPartitions: 2, StatusParts: 1}
	if got != want {
		t.Fatalf("topics %+v, want %+v", got, want)
	}
}
