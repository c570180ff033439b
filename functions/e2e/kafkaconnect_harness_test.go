//go:build integration

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// kafkaConnect is a private Kafka Connect 4.1.1 distributed worker (the
// jars of localstack/up kafka-connect) with its own group.id, internal
// topics and REST port: the shared worker on 18083 is never touched.
type kafkaConnect struct {
	t *testing.T
	// props is its worker .properties file; ferry reads the same file.
	props string
	group string
	api   api
	proc  *proc
}

// kafkaConnectHome is the reference Kafka Connect's install directory.
func kafkaConnectHome(t *testing.T) string {
	dir := os.Getenv("FERRY_STACK_DIR")
	if dir == "" {
		dir = filepath.Join(os.Getenv("HOME"), ".cache", "ferry-stack")
	}
	home := filepath.Join(dir, "kafka-connect")
	if !fileExists(filepath.Join(home, "plugins", "connect-file")) {
		t.Fatalf("no Kafka Connect install in %s: run `eval \"$(localstack/up kafka kafka-connect)\"`", home)
	}
	return home
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// kafkaConnectProps writes the worker properties of a private cluster:
// group.id and topics named after group, REST on port. Kafka Connect's
// defaults otherwise (25 offsets and 5 status partitions), except a 1 s
// offset flush so the test does not wait a minute for commits.
func kafkaConnectProps(t *testing.T, dir, kafka, group string, port int) string {
	home := kafkaConnectHome(t)
	path := filepath.Join(dir, "connect-distributed.properties")
	props := fmt.Sprintf(`bootstrap.servers=%s
group.id=%s
listeners=http://127.0.0.1:%d
rest.advertised.host.name=127.0.0.1
rest.advertised.port=%d
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
config.storage.topic=%s-configs
offset.storage.topic=%s-offsets
status.storage.topic=%s-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=1000
plugin.discovery=service_load
plugin.path=%s
`, kafka, group, port, port, group, group, group, filepath.Join(home, "plugins", "connect-file"))
	if err := os.WriteFile(path, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startKafkaConnect starts a worker on props and waits for its REST API.
func startKafkaConnect(t *testing.T, props string) *kafkaConnect {
	home := kafkaConnectHome(t)
	dir := filepath.Dir(props)
	log4j := filepath.Join(dir, "log4j2.properties")
	os.WriteFile(log4j, []byte("status = warn\nappender.c.type = Console\nappender.c.name = C\n"+
		"appender.c.layout.type = PatternLayout\nappender.c.layout.pattern = [%d] %p %m (%c)%n\n"+
		"rootLogger.level = warn\nrootLogger.appenderRef.c.ref = C\n"), 0o644)
	port, group := propValue(t, props, "rest.advertised.port"), propValue(t, props, "group.id")
	p := startCmd(t, nil, "java", "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-Djava.awt.headless=true", "-Dlog4j2.configurationFile="+log4j,
		"-cp", filepath.Join(home, "libs", "*"), "org.apache.kafka.connect.cli.ConnectDistributed", props)
	kc := &kafkaConnect{t: t, props: props, group: group, proc: p, api: api{t: t, base: "http://127.0.0.1:" + port}}
	kc.api.waitReady()
	return kc
}

// propValue reads one key of a .properties file the test wrote.
func propValue(t *testing.T, path, key string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `=(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no %s", path, key)
	}
	return string(m[1])
}

// stop ends the worker with SIGTERM (Kafka Connect commits and leaves the
// group) or SIGKILL (nothing more is committed), and waits for it.
func (kc *kafkaConnect) stop(sig syscall.Signal) {
	_ = kc.proc.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = kc.proc.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		kc.proc.kill()
		kc.t.Fatalf("Kafka Connect did not stop within 30s of %v", sig)
	}
}

// gatedLines writes numbered lines to a file in batches: up to gate lines
// at once, then the rest only after open is called. A test calls open
// after it stopped one runtime, so lines arrive while it is stopped and the
// stop is mid-stream by construction, however fast the machine.
type gatedLines struct {
	written atomic.Int64
	gate    chan struct{}
	done    chan struct{}
}

// writeLines starts writing total lines to path ("line-0000000" on), 1,000
// every 20 ms, holding at gate until open.
func writeLines(t *testing.T, path string, total, gate int) *gatedLines {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	g := &gatedLines{gate: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(g.done)
		defer f.Close()
		w := bufio.NewWriter(f)
		for n := 0; n < total; {
			if n >= gate {
				<-g.gate
			}
			end := min(total, n+1000)
			if n < gate {
				end = min(end, gate)
			}
			for ; n < end; n++ {
				fmt.Fprintf(w, "line-%07d\n", n)
			}
			if err := w.Flush(); err != nil {
				t.Error(err)
				return
			}
			g.written.Store(int64(n))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { g.open(); <-g.done })
	return g
}

// open lets the writer go past the gate.
func (g *gatedLines) open() {
	select {
	case <-g.gate:
	default:
		close(g.gate)
	}
}

// lineAccount counts a sink file against the lines 0..total-1: lines read,
// distinct, duplicates, missing, and lines that are not one of them.
type lineAccount struct{ lines, unique, dups, missing, foreign int }

func (a lineAccount) String() string {
	return fmt.Sprintf("%d lines, %d distinct, %d duplicates, %d missing, %d foreign", a.lines, a.unique, a.dups, a.missing, a.foreign)
}

func accountLines(path string, total int) lineAccount {
	var a lineAccount
	f, err := os.Open(path)
	if err != nil {
		return lineAccount{missing: total}
	}
	defer f.Close()
	seen := make([]bool, total)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		a.lines++
		n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "line-"))
		switch {
		case err != nil || n < 0 || n >= total:
			a.foreign++
		case seen[n]:
			a.dups++
		default:
			seen[n] = true
			a.unique++
		}
	}
	a.missing = total - a.unique
	return a
}
