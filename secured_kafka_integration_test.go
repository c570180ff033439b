//go:build integration

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// securedEnv reads a variable printed by `localstack/up`; the test fails without it.
func securedEnv(t *testing.T, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka redis nats)\"`", key)
	}
	return v
}

// connectDistributedSASLSSL is a connect-distributed.properties as written
// for Kafka Connect against the SASL_SSL listener: top-level keys for the
// worker's own clients, producer./consumer. copies for the tasks' clients.
func connectDistributedSASLSSL(t *testing.T, port int) string {
	jaas := fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`,
		securedEnv(t, "KAFKA_SASL_USERNAME"), securedEnv(t, "KAFKA_SASL_PASSWORD"))
	var b bytes.Buffer
	fmt.Fprintf(&b, "bootstrap.servers=%s\ngroup.id=ferry-secured-%d\n", securedEnv(t, "KAFKA_SASL_SSL_BOOTSTRAP_SERVERS"), port)
	fmt.Fprintf(&b, "listeners=http://127.0.0.1:%d\nrest.advertised.host.name=127.0.0.1\nplugin.path=/usr/share/java\n", port)
	b.WriteString("key.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n")
	b.WriteString("config.storage.topic=connect-configs\noffset.storage.topic=connect-offsets\nstatus.storage.topic=connect-status\n")
	for _, prefix := range []string{"", "producer.", "consumer."} {
		fmt.Fprintf(&b, "%ssecurity.protocol=SASL_SSL\n%ssasl.mechanism=SCRAM-SHA-512\n%ssasl.jaas.config=%s\n", prefix, prefix, prefix, jaas)
		fmt.Fprintf(&b, "%sssl.truststore.type=PEM\n%sssl.truststore.location=%s\n", prefix, prefix, securedEnv(t, "KAFKA_CA_FILE"))
	}
	path := filepath.Join(t.TempDir(), "connect-distributed.properties")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSecuredKafkaCommands runs datagen -> Kafka (SASL_SSL SCRAM-SHA-512) ->
// file with the ferry binary: `ferry standalone` and `ferry scheduler` +
// `ferry worker`, each reading a Kafka Connect connect-distributed.properties
// unchanged, and counts the records in the file exactly.
func TestSecuredKafkaCommands(t *testing.T) {
	const records = 100000
	bin := filepath.Join(t.TempDir(), "ferry")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	redis, natsURL := securedEnv(t, "REDIS_URL"), securedEnv(t, "NATS_URL")
	for _, layout := range []string{"standalone", "distributed"} {
		t.Run(layout, func(t *testing.T) {
			port := freePort(t)
			props := connectDistributedSASLSSL(t, port)
			env := append(os.Environ(), fmt.Sprintf("FERRY_NATS_SUBJECT=ferry.secured.%d", port))
			if layout == "standalone" {
				start(t, bin, env, "standalone", props, "--data-dir", t.TempDir())
			} else {
				env = append(env, "FERRY_STATE="+redis, "FERRY_NATS_URL="+natsURL)
				start(t, bin, env, "worker", props)
				start(t, bin, env, "scheduler", props)
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			waitHTTP(t, base+"/connectors")
			topic := fmt.Sprintf("secured-%s-%d", layout, time.Now().UnixNano()%1e9)
			out := filepath.Join(t.TempDir(), "out.txt")
			startAt := time.Now()
			put(t, base, topic+"-src", fmt.Sprintf(`{"connector.class":"DatagenConnector","kafka.topic":%q,"quickstart":"orders","iterations":"%d","max.interval":"0","tasks.max":"1"}`, topic, records))
			put(t, base, topic+"-sink", fmt.Sprintf(`{"connector.class":"FileStreamSink","topics":%q,"file":%q,"tasks.max":"1"}`, topic, out))
			deadline := time.Now().Add(3 * time.Minute)
			n := 0
			for n < records && time.Now().Before(deadline) {
				time.Sleep(500 * time.Millisecond)
				n = countLines(out)
			}
			took := time.Since(startAt)
			time.Sleep(2 * time.Second) // a duplicate would show up here
			if n = countLines(out); n != records {
				t.Fatalf("%s: %d lines in the sink file, want %d", layout, n, records)
			}
			t.Logf("%s over SASL_SSL SCRAM-SHA-512: %d records datagen -> Kafka -> file in %v", layout, records, took.Round(time.Millisecond))
		})
	}
}

func start(t *testing.T, bin string, env []string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("ferry %s output:\n%s", args[0], logs.String())
		}
	})
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 120; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within 30s", url)
}

func put(t *testing.T, base, name, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"/connectors/"+name+"/config", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("PUT %s: %s %s", name, resp.Status, b.String())
	}
}

func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}
