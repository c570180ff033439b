//go:build integration

package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// privateRegistry starts a schema registry of the test's own (the local
// stack's Apicurio Registry jar) on a free port, so the test can stop it
// without touching the shared one; it returns its Confluent-compatible URL.
func privateRegistry(t *testing.T) (url, addr string) {
	t.Helper()
	stack := os.Getenv("FERRY_STACK_DIR")
	if stack == "" {
		stack = filepath.Join(os.Getenv("HOME"), ".cache", "ferry-stack")
	}
	jar := filepath.Join(stack, "schema-registry", "app", "ferry-schema-registry-1-runner.jar")
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("schema registry jar: %v: run `localstack/up schema-registry` once to build it", err)
	}
	port := freePort(t)
	startCmd(t, nil, "java", "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port="+strconv.Itoa(port), "-Dquarkus.log.console.color=false", "-jar", jar)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	url = "http://" + addr + "/apis/ccompat/v7"
	waitFor(t, 3*time.Minute, "the private schema registry", func() bool {
		resp, err := http.Get(url + "/subjects")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return url, addr
}

// gate forwards TCP connections from its own port to a target, and can be
// closed for a while: its port then refuses connections and the open ones
// are cut, as when the service behind it is down. The registry keeps its
// schemas (it stores them in memory, so a real restart would lose their ids).
type gate struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newGate(t *testing.T, target string) *gate {
	g := &gate{t: t, addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), target: target}
	g.open()
	t.Cleanup(g.close)
	return g
}

func (g *gate) open() {
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		g.t.Fatalf("gate on %s: %v", g.addr, err)
	}
	g.mu.Lock()
	g.ln = ln
	g.mu.Unlock()
	go func() { // owned by the gate: ends when close shuts the listener
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go g.forward(c)
		}
	}()
}

func (g *gate) forward(c net.Conn) {
	up, err := net.Dial("tcp", g.target)
	if err != nil {
		c.Close()
		return
	}
	g.mu.Lock()
	g.conns = append(g.conns, c, up)
	g.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// close refuses new connections and cuts the open ones.
func (g *gate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
	for _, c := range g.conns {
		c.Close()
	}
	g.conns = nil
}

// TestSchemaRegistryOutage: the schema registry is unreachable for 30 s
// (its port refuses connections) while datagen -> Kafka -> file runs with Avro values, errors.tolerance=all,
// a dead-letter queue on both connectors and the seeds' errors.retry.timeout
// of 300000. An outage is retriable, not bad data: no record goes to a DLQ,
// and every record is delivered once the registry is back.
func TestSchemaRegistryOutage(t *testing.T) {
	registry, regAddr := privateRegistry(t)
	g := newGate(t, regAddr)
	registry = strings.Replace(registry, regAddr, g.addr, 1)
	c := newCluster(t, 7)
	c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 40_000
	topic := uniqueName("registry-outage")
	avro := map[string]string{
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "io.confluent.connect.avro.AvroConverter", "value.converter.schema.registry.url": registry,
		"errors.tolerance": "all", "errors.retry.timeout": "300000", "errors.deadletterqueue.context.headers.enable": "true",
		"tasks.max": "1", "poll.interval.ms": "200",
	}
	with := func(extra map[string]string) map[string]string {
		cfg := map[string]string{}
		for k, v := range avro {
			cfg[k] = v
		}
		for k, v := range extra {
			cfg[k] = v
		}
		return cfg
	}
	c.api.create(topic+"-src", with(map[string]string{
		"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector", "kafka.topic": topic,
		"quickstart": "orders", "iterations": strconv.Itoa(n), "max.interval": "2", "random.seed": "7",
		"errors.deadletterqueue.topic.name": topic + "-src-dlq", "errors.deadletterqueue.topic.replication.factor": "1"}))
	c.api.create(topic+"-sink", with(map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": out,
		"errors.deadletterqueue.topic.name": topic + "-sink-dlq", "errors.deadletterqueue.topic.replication.factor": "1"}))
	waitFor(t, 2*time.Minute, "the first records in the sink", func() bool { _, u, _, _ := fileCounts(out); return u >= 1000 })
	g.close()
	_, before, _, _ := fileCounts(out)
	time.Sleep(30 * time.Second) // the outage
	g.open()
	if before >= n {
		t.Fatalf("the pipeline finished before the outage (%d records): the test proves nothing", before)
	}
	waitFor(t, 5*time.Minute, "every record after the registry returned", func() bool { _, u, _, _ := fileCounts(out); return u >= n })
	_, unique, dups, _ := fileCounts(out)
	adm := kafkaAdmin(t, c.svc.kafka)
	dead := max(topicCount(t, adm, topic+"-src-dlq"), 0) + max(topicCount(t, adm, topic+"-sink-dlq"), 0)
	t.Logf("registry unreachable for 30 s at %d of %d sink records; delivered %d, %d duplicates, %d dead letters; source trace: %s",
		before, n, unique, dups, dead, c.taskTrace(topic+"-src"))
	reportRow(t, "schema registry unreachable 30 s, tolerance=all + DLQ: datagen->Kafka->file", n, int64(unique), int64(n-unique), int64(dups))
	if dead != 0 {
		t.Errorf("%d records in the dead-letter queues: a registry outage was treated as bad data", dead)
	}
	if unique != n {
		t.Errorf("delivered %d of %d", unique, n)
	}
}
