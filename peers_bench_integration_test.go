//go:build integration

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkPeerConduit runs the same job on ferry and on Conduit (Go,
// Apache-2.0, the peer the performance issue names; built by `localstack/up
// conduit`), one after the other against the same broker: N generated
// records with four fields (datagen's users quickstart on ferry, Conduit's
// generator with the same field names and types) written to a Kafka topic
// as JSON. It reports each side's records per CPU-second (user+system of the
// process, from start until the topic holds N records), the ratio, and the
// mean bytes per record each wrote (the payloads are alike, not equal:
// Conduit writes its OpenCDC structured payload as JSON with its own key).
// Conduit's Kafka destination runs with compression none and acks all, as
// ferry's producer does, and batches of up to 10,000 records or 100 ms
// (sdk.batch.size, sdk.batch.delay: without them Conduit writes one record
// at a time and is several times slower). Figures only, nothing asserted.
func BenchmarkPeerConduit(b *testing.B) {
	seeds, conduit := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("CONDUIT_BIN")
	if seeds == "" || conduit == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS and CONDUIT_BIN must be set: run `eval \"$(localstack/up kafka conduit)\"`")
	}
	n := 500_000
	if v, err := strconv.Atoi(os.Getenv("FERRY_PEER_RECORDS")); err == nil && v > 0 {
		n = v
	}
	bin := buildFerry(b)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for range b.N {
		ferry := peerRun(b, seeds, "peer-ferry-"+run, n, func(topic string) *exec.Cmd { return ferryDatagen(b, bin, seeds, topic, n) })
		cond := peerRun(b, seeds, "peer-conduit-"+run, n, func(topic string) *exec.Cmd { return conduitGenerator(b, conduit, seeds, topic, n) })
		fmt.Printf("peer (%d records -> Kafka): ferry %.0f records/CPU-s (%.2f CPU s, %.0f B/record), Conduit %.0f records/CPU-s (%.2f CPU s, %.0f B/record): ratio %.2f\n",
			n, ferry.perCPU(n), ferry.cpu, ferry.bytes, cond.perCPU(n), cond.cpu, cond.bytes, ferry.perCPU(n)/cond.perCPU(n))
		b.ReportMetric(ferry.perCPU(n), "ferry-records/cpu-s")
		b.ReportMetric(cond.perCPU(n), "conduit-records/cpu-s")
		b.ReportMetric(ferry.perCPU(n)/cond.perCPU(n), "ferry/conduit-x")
		b.ReportMetric(ferry.bytes, "ferry-B/record")
		b.ReportMetric(cond.bytes, "conduit-B/record")
	}
}

// peerFigures are one side's CPU seconds and mean record size.
type peerFigures struct{ cpu, bytes float64 }

func (f peerFigures) perCPU(n int) float64 { return float64(n) / f.cpu }

// peerRun starts a process writing n records to topic, waits until the topic
// holds them, reads its CPU time, stops it and samples the record size.
func peerRun(b *testing.B, seeds, topic string, n int, start func(topic string) *exec.Cmd) peerFigures {
	adm, done := peerAdmin(b, seeds)
	defer done()
	if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
		b.Fatalf("creating %s: %v", topic, err)
	}
	cmd := start(topic)
	defer stopPeer(cmd)
	waitRecords(b, adm, topic, int64(n), cmd)
	f := peerFigures{cpu: cpuSeconds(b, cmd.Process.Pid)}
	f.bytes = meanRecordBytes(b, seeds, topic)
	return f
}

func stopPeer(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// meanRecordBytes is the mean key+value size of topic's first 1,000 records.
func meanRecordBytes(b *testing.B, seeds, topic string) float64 {
	recs := firstRecords(b, seeds, topic, 1000)
	total := 0
	for _, r := range recs {
		total += len(r.Key) + len(r.Value)
	}
	return float64(total) / float64(len(recs))
}

// firstRecords reads up to n of topic's first records within 30 seconds,
// failing when there is none.
func firstRecords(b *testing.B, seeds, topic string, n int) []*kgo.Record {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(seeds, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < n && ctx.Err() == nil {
		recs = append(recs, cl.PollFetches(ctx).Records()...)
	}
	if len(recs) == 0 {
		b.Fatalf("no records read back from %s", topic)
	}
	return recs[:min(n, len(recs))]
}

// ferryDatagen starts ferry standalone with datagen's users quickstart
// writing n schemaless JSON records to topic.
func ferryDatagen(b *testing.B, bin, seeds, topic string, n int) *exec.Cmd {
	dir := b.TempDir()
	conn, _ := json.Marshal(map[string]any{"name": "peer-gen", "config": map[string]string{
		"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector", "kafka.topic": topic,
		"quickstart": "users", "iterations": strconv.Itoa(n), "max.interval": "0", "tasks.max": "1",
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}})
	path := filepath.Join(dir, "gen.json")
	if err := os.WriteFile(path, conn, 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "standalone", "--bootstrap-servers", seeds, "--data-dir", filepath.Join(dir, "data"),
		"--listeners", fmt.Sprintf("http://127.0.0.1:%d", freeTCPPort(b)), "--log-level", "warn", path)
	return startPeer(b, cmd)
}

// conduitGenerator starts Conduit with one pipeline: its generator making
// n structured records with the users quickstart's field names, to topic.
func conduitGenerator(b *testing.B, bin, seeds, topic string, n int) *exec.Cmd {
	pipeline := fmt.Sprintf(`version: 2.2
pipelines:
  - id: peer
    status: running
    connectors:
      - id: gen
        type: source
        plugin: builtin:generator
        settings:
          format.type: structured
          format.options.registertime: int
          format.options.userid: string
          format.options.regionid: string
          format.options.gender: string
          recordCount: "%d"
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings:
          servers: %s
          topic: %s
          compression: none
          acks: all
          sdk.batch.size: "10000"
          sdk.batch.delay: 100ms
`, n, seeds, topic)
	return conduitRun(b, bin, pipeline)
}

// conduitRun starts Conduit running one pipeline file, with its database
// and plugin folders in a temporary directory and its API off.
func conduitRun(b *testing.B, bin, pipeline string) *exec.Cmd {
	dir := b.TempDir()
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(pipeline), 0o644); err != nil {
		b.Fatal(err)
	}
	return startPeer(b, exec.Command(bin, "run", "--pipelines.path", path, "--db.type", "badger", "--db.badger.path", filepath.Join(dir, "db"),
		"--api.enabled=false", "--connectors.path", filepath.Join(dir, "connectors"), "--processors.path", filepath.Join(dir, "processors"),
		"--log.level", "warn"))
}

func startPeer(b *testing.B, cmd *exec.Cmd) *exec.Cmd {
	log, err := os.Create(filepath.Join(b.TempDir(), "out.log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { log.Close() })
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting %s: %v", cmd.Path, err)
	}
	return cmd
}
