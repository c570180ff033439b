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
	open(t, props, kafka.Topics{Config: p + "-c", Offsets: p + "-o", Status: p + "-s", Ferry: p + "-c.ferry",
		ConfigRF: 1, OffsetsRF: 1, StatusRF: 1, OffsetsPartitions: 2, StatusParts: 1})
}

// TestOpenKafkaSecured: the store's clients take the worker's
// security.protocol, sasl.* and ssl.* keys (SASL_SSL with SCRAM-SHA-512).
func TestOpenKafkaSecured(t *testing.T) {
	env := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka)\"`", k)
		}
		return v
	}
	p := fmt.Sprintf("open-sec-%d", time.Now().UnixNano()%1e9)
	jaas := fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`,
		env("KAFKA_SASL_USERNAME"), env("KAFKA_SASL_PASSWORD"))
	props := fmt.Sprintf("bootstrap.servers=%s\ngroup.id=%s\nconfig.storage.topic=%s-c\noffset.storage.topic=%s-o\nstatus.storage.topic=%s-s\n"+
		"config.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n"+
		"security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=%s\nssl.truststore.type=PEM\nssl.truststore.location=%s\n",
		env("KAFKA_SASL_SSL_BOOTSTRAP_SERVERS"), p, p, p, p, jaas, env("KAFKA_CA_FILE"))
	open(t, props, kafka.Topics{Config: p + "-c", Offsets: p + "-o", Status: p + "-s", Ferry: p + "-c.ferry",
		ConfigRF: 1, OffsetsRF: 1, StatusRF: 1, OffsetsPartitions: 25, StatusParts: 5})
}

// open opens FERRY_STATE=kafka with the worker properties props and checks
// the store's topics, then a write and a read.
func open(t *testing.T, props string, want kafka.Topics) {
	t.Helper()
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
	if got := s.(*kafka.Store).Topics(); got != want {
		t.Fatalf("topics %+v, want %+v", got, want)
	}
	e, err := s.NextEpoch(ctx, "c", 0)
	if err == nil {
		err = s.CheckEpoch(ctx, "c", 0, e)
	}
	if err != nil {
		t.Fatal(err)
	}
}
