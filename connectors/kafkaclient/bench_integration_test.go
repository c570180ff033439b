//go:build integration

package kafkaclient

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchRecords is how many 100-byte records each listener produces and consumes.
const benchRecords = 1000000

// cpu is this process's user+system CPU time.
func cpu(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func env(t *testing.T, k string) string {
	v := os.Getenv(k)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka)\"`", k)
	}
	return v
}

// TestBenchSASLSSLvsPlaintext measures client records per CPU-second,
// producing and consuming, over SASL_SSL (SCRAM-SHA-512) and PLAINTEXT in
// one run, and logs the ratio. Batches are not compressed, so TLS carries
// every byte. The broker's CPU is not counted.
func TestBenchSASLSSLvsPlaintext(t *testing.T) {
	listeners := []struct {
		name string
		keys map[string]string
	}{
		{"PLAINTEXT", map[string]string{"bootstrap.servers": env(t, "KAFKA_BOOTSTRAP_SERVERS")}},
		{"SASL_SSL", map[string]string{"bootstrap.servers": env(t, "KAFKA_SASL_SSL_BOOTSTRAP_SERVERS"), "security.protocol": "SASL_SSL",
			"sasl.mechanism": "SCRAM-SHA-512", "ssl.truststore.location": env(t, "KAFKA_CA_FILE"),
			"sasl.jaas.config": fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`,
				env(t, "KAFKA_SASL_USERNAME"), env(t, "KAFKA_SASL_PASSWORD"))}},
	}
	rate := map[string][2]float64{}
	for _, l := range listeners {
		cfg, err := New(l.keys)
		if err != nil {
			t.Fatal(err)
		}
		topic := fmt.Sprintf("bench-%s-%d", l.name, time.Now().UnixNano()%1e9)
		p, err := cfg.Client(Producer, nil)
		if err != nil {
			t.Fatal(err)
		}
		prod, err := kgo.NewClient(append(p.Opts, kgo.ProducerLinger(5*time.Millisecond), kgo.DefaultProduceTopic(topic),
			kgo.ProducerBatchCompression(kgo.NoCompression()))...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kadm.NewClient(prod).CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
		value := make([]byte, 100)
		c0 := cpu(t)
		for i := 0; i < benchRecords; i++ {
			prod.Produce(context.Background(), &kgo.Record{Value: value}, func(_ *kgo.Record, err error) {
				if err != nil {
					t.Error(err)
				}
			})
		}
		if err := prod.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		produceCPU := cpu(t) - c0
		prod.Close()
		c, err := cfg.Client(Consumer, nil)
		if err != nil {
			t.Fatal(err)
		}
		cons, err := kgo.NewClient(append(c.Opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
		if err != nil {
			t.Fatal(err)
		}
		c0 = cpu(t)
		for n := 0; n < benchRecords; {
			f := cons.PollFetches(context.Background())
			if errs := f.Errors(); len(errs) > 0 {
				t.Fatal(errs)
			}
			n += f.NumRecords()
		}
		consumeCPU := cpu(t) - c0
		cons.Close()
		rate[l.name] = [2]float64{benchRecords / produceCPU.Seconds(), benchRecords / consumeCPU.Seconds()}
		t.Logf("%s: produce %.0f records/CPU-s (%v CPU), consume %.0f records/CPU-s (%v CPU)", l.name,
			rate[l.name][0], produceCPU.Round(time.Millisecond), rate[l.name][1], consumeCPU.Round(time.Millisecond))
	}
	t.Logf("SASL_SSL / PLAINTEXT records per CPU-second: produce %.2f, consume %.2f",
		rate["SASL_SSL"][0]/rate["PLAINTEXT"][0], rate["SASL_SSL"][1]/rate["PLAINTEXT"][1])
}
