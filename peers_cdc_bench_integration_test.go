//go:build integration

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// peerProc is a peer process and the base URL of its Kafka Connect REST API.
type peerProc struct {
	cmd  *exec.Cmd
	base string
}

// withJSON adds schemaless JsonConverter keys and values to a connector
// config (a connector-level override, which Kafka Connect and ferry both read).
func withJSON(cfg map[string]string) map[string]string {
	cfg["key.converter"], cfg["key.converter.schemas.enable"] = "org.apache.kafka.connect.json.JsonConverter", "false"
	cfg["value.converter"], cfg["value.converter.schemas.enable"] = "org.apache.kafka.connect.json.JsonConverter", "false"
	return cfg
}

// ferryStandalone starts ferry standalone running the connector cfg (its
// "name" key names it).
func ferryStandalone(b *testing.B, bin, seeds string, cfg map[string]string) peerProc {
	conn, _ := json.Marshal(map[string]any{"name": cfg["name"], "config": cfg})
	dir := b.TempDir()
	path := filepath.Join(dir, "connector.json")
	if err := os.WriteFile(path, conn, 0o644); err != nil {
		b.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", freeTCPPort(b))
	return peerProc{startPeer(b, exec.Command(bin, "standalone", "--bootstrap-servers", seeds, "--data-dir", filepath.Join(dir, "data"),
		"--listeners", base, "--log-level", "warn", path)), base}
}

// debeziumStandalone starts a private Kafka Connect 4.1.1 ConnectStandalone
// (the stack's jars and plugin path, which holds Debezium's connectors)
// running the connector cfg, with offsets in a temporary file.
func debeziumStandalone(b *testing.B, seeds string, cfg map[string]string) peerProc {
	stack := os.Getenv("FERRY_STACK_DIR")
	if stack == "" {
		stack = filepath.Join(os.Getenv("HOME"), ".cache", "ferry-stack")
	}
	home := filepath.Join(stack, "kafka-connect")
	flavor := strings.Split(strings.TrimPrefix(cfg["connector.class"], "io.debezium.connector."), ".")[0]
	plugin := map[string]string{"postgresql": "postgres"}[flavor]
	if plugin == "" {
		plugin = flavor
	}
	if _, err := os.Stat(filepath.Join(home, "plugins", "debezium-connector-"+plugin)); err != nil {
		b.Fatalf("Debezium's %s connector is not on %s/plugins: run localstack/up kafka-connect", plugin, home)
	}
	dir := b.TempDir()
	base := fmt.Sprintf("http://127.0.0.1:%d", freeTCPPort(b))
	worker := fmt.Sprintf(`bootstrap.servers=%s
listeners=%s
key.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=%s/offsets
offset.flush.interval.ms=1000
plugin.path=%s/plugins
`, seeds, base, dir, home)
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var connector strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&connector, "%s=%s\n", k, cfg[k])
	}
	for name, body := range map[string]string{"worker.properties": worker, "connector.properties": connector.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return peerProc{startPeer(b, exec.Command("java", "-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
		"-Dlog4j2.configurationFile="+filepath.Join(home, "log4j2.properties"), "-Dkafka.logs.dir="+dir,
		"-cp", filepath.Join(home, "libs", "*"), "org.apache.kafka.connect.cli.ConnectStandalone",
		filepath.Join(dir, "worker.properties"), filepath.Join(dir, "connector.properties"))), base}
}

// streamFigures are one side's streaming figures: changes per wall second
// from the resume until the topic holds every change, CPU seconds of the
// process from the pause to then, and the mean record size.
type streamFigures struct{ perSec, cpu, bytes float64 }

// peerStream measures one side streaming n changes into topic with the
// connector name: it starts the process, calls mark (one row) and waits for
// its record (the stream is live), then twice pauses the connector over
// REST, calls write(from) (n rows, ids from..from+n-1), resumes it and
// waits until the topic holds those changes too. The first round warms the
// process up (a long-running worker's JIT has compiled its streaming path);
// the second is measured: CPU from the pause (Debezium reads ahead into its
// queue while paused, up to max.queue.size changes), changes/s over the
// records written after the resume.
func peerStream(b *testing.B, seeds, name, topic string, n int, start func() peerProc, mark func(), write func(from int)) streamFigures {
	adm, done := peerAdmin(b, seeds)
	defer done()
	if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
		b.Fatalf("creating %s: %v", topic, err)
	}
	p := start()
	defer stopPeer(p.cmd)
	c := &scaleClient{b: b, base: p.base, http: &http.Client{Timeout: 30 * time.Second}}
	mark()
	waitRecords(b, adm, topic, 1, p.cmd)
	var f streamFigures
	for round := range 2 {
		c.setState(name, "pause", "PAUSED")
		cpu := cpuSeconds(b, p.cmd.Process.Pid)
		write(round*n + 1)
		before := endOffset(b, adm, topic)
		t0 := time.Now()
		c.setState(name, "resume", "RUNNING")
		want := int64(round+1)*int64(n) + 1
		waitRecords(b, adm, topic, want, p.cmd)
		f = streamFigures{perSec: float64(want-before) / time.Since(t0).Seconds(), cpu: cpuSeconds(b, p.cmd.Process.Pid) - cpu}
	}
	f.bytes = meanRecordBytes(b, seeds, topic)
	return f
}

// setState PUTs /connectors/<name>/<verb> and polls the status until task 0 is in state.
func (c *scaleClient) setState(name, verb, state string) {
	if code, out := c.do(http.MethodPut, "/connectors/"+name+"/"+verb, nil); code != http.StatusAccepted {
		c.b.Fatalf("%s %s: %d %s", verb, name, code, out)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		code, out := c.do(http.MethodGet, "/connectors/"+name+"/status", nil)
		var st struct {
			Tasks []struct{ State string } `json:"tasks"`
		}
		if code == http.StatusOK && json.Unmarshal(out, &st) == nil && len(st.Tasks) > 0 && st.Tasks[0].State == state {
			return
		}
	}
	c.b.Fatalf("%s %s: task 0 not %s after a minute", verb, name, state)
}

// peerAdmin is an admin client on seeds and the function that closes it.
func peerAdmin(b *testing.B, seeds string) (*kadm.Client, func()) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...))
	if err != nil {
		b.Fatal(err)
	}
	return kadm.NewClient(cl), cl.Close
}

// endOffset is the end offset of topic's partition 0.
func endOffset(b *testing.B, adm *kadm.Client, topic string) int64 {
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		b.Fatalf("end offset of %s: %v", topic, err)
	}
	return ends.Offsets()[topic][0].At
}

// waitRecords polls until topic holds n records, failing after 10 minutes
// or when the process exits.
func waitRecords(b *testing.B, adm *kadm.Client, topic string, n int64, cmd *exec.Cmd) {
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err == nil && ends.Offsets()[topic][0].At >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %d records not written in 10 minutes", topic, n)
		}
		if cmd.ProcessState != nil {
			b.Fatalf("%s: the process exited early", topic)
		}
	}
}

// rawFigures are raw franz-go's records/s and records per CPU-second of
// this process producing copies of one record.
type rawFigures struct{ perSec, perCPU float64 }

// rawProduce is the baseline: franz-go producing n copies of topic's first
// record (key and value: the bytes a side wrote) to a new topic with
// acks=all and idempotence (ferry's producer settings), waiting for every ack.
func rawProduce(b *testing.B, seeds, topic string, n int) rawFigures {
	sample := firstRecords(b, seeds, topic, 1)[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(2*time.Millisecond), kgo.MaxBufferedRecords(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	raw := "raw-" + topic
	if _, err := kadm.NewClient(cl).CreateTopic(context.Background(), 1, 1, nil, raw); err != nil {
		b.Fatalf("creating %s: %v", raw, err)
	}
	// Warm up: connections and metadata before measuring.
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: raw, Key: sample.Key, Value: sample.Value}).FirstErr(); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(n)
	start, cpu := time.Now(), selfCPU(b)
	for range n {
		cl.Produce(context.Background(), &kgo.Record{Topic: raw, Key: sample.Key, Value: sample.Value}, func(_ *kgo.Record, err error) {
			if err != nil {
				b.Errorf("raw produce: %v", err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	return rawFigures{float64(n) / time.Since(start).Seconds(), float64(n) / (selfCPU(b) - cpu)}
}

// selfCPU is this process's user+system CPU seconds, to the microsecond.
func selfCPU(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
