//go:build integration

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// BenchmarkControlPlane prints the control plane's figures for N idle
// connectors (one task each) on one scheduler process, once with the file
// store (`ferry standalone`) and once with Redis (`ferry scheduler` plus a
// `ferry worker`): create rate, GET /connectors?expand=status p50/p99, single
// connector status p99, the scheduler's CPU while idle, its RSS, and the time
// to delete them all. Sources are datagen with iterations=1 (one record, then
// idle); every FERRY_SCALE_SINK_EVERY-th connector is a FileStreamSink on an
// empty topic. Sizes and windows come from the environment (see scaleParams);
// it prints figures and asserts nothing about them.
func BenchmarkControlPlane(b *testing.B) {
	p := scaleParams()
	svc := scaleServices(b)
	bin := buildFerry(b)
	for _, storeKind := range p.stores {
		b.Run(storeKind, func(b *testing.B) {
			for range b.N {
				f := runScale(b, bin, svc, storeKind, p)
				fmt.Print(f.String())
				f.report(b)
			}
		})
	}
}

// scaleSettings are the benchmark's knobs.
type scaleSettings struct {
	n, sinkEvery, clients int
	settle, window        time.Duration
	stores                []string
	readyTimeout          time.Duration
}

func scaleParams() scaleSettings {
	getInt := func(k string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
			return v
		}
		return def
	}
	getDur := func(k string, def time.Duration) time.Duration {
		if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
			return v
		}
		return def
	}
	stores := []string{"file", "redis"}
	if v := os.Getenv("FERRY_SCALE_STORES"); v != "" {
		stores = strings.Split(v, ",")
	}
	return scaleSettings{
		n:            getInt("FERRY_SCALE_CONNECTORS", 10000),
		sinkEvery:    getInt("FERRY_SCALE_SINK_EVERY", 10),
		clients:      getInt("FERRY_SCALE_CLIENTS", 8),
		settle:       getDur("FERRY_SCALE_SETTLE", 20*time.Second),
		window:       getDur("FERRY_SCALE_WINDOW", 20*time.Second),
		readyTimeout: getDur("FERRY_SCALE_READY_TIMEOUT", 10*time.Minute),
		stores:       stores,
	}
}

type scaleSvc struct{ kafka, redis, nats string }

func scaleServices(b *testing.B) scaleSvc {
	s := scaleSvc{os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("REDIS_URL"), os.Getenv("NATS_URL")}
	if s.kafka == "" || s.redis == "" || s.nats == "" {
		b.Fatalf("KAFKA_BOOTSTRAP_SERVERS, REDIS_URL and NATS_URL must be set: run `eval \"$(localstack/up kafka redis nats)\"`")
	}
	return s
}

func buildFerry(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "ferry")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("building ferry: %v", err)
	}
	return bin
}

// scaleFigures are one run's results.
type scaleFigures struct {
	store                       string
	n, sinks                    int
	createRate                  float64
	allRunning                  time.Duration
	listP50, listP99, singleP99 time.Duration
	coldP50, coldP99            time.Duration
	listSamples, singleSamples  int
	coldSamples                 int
	idleCPU, workerCPU          float64
	rssMiB, hwmMiB              float64
	deleteAll                   time.Duration
	load1                       string
}

func (f scaleFigures) String() string {
	var w strings.Builder
	fmt.Fprintf(&w, "control plane (%s store): %d connectors (%d sinks), one task each, load average %s\n", f.store, f.n, f.sinks, f.load1)
	fmt.Fprintf(&w, "  creates:                     %.0f/s\n", f.createRate)
	fmt.Fprintf(&w, "  all tasks RUNNING after:     %s\n", f.allRunning.Round(time.Millisecond))
	fmt.Fprintf(&w, "  GET /connectors?expand=status p50 %s p99 %s (%d requests)\n", ms(f.listP50), ms(f.listP99), f.listSamples)
	if f.coldSamples > 0 {
		fmt.Fprintf(&w, "    each after a task restart:  p50 %s p99 %s (%d requests; rendered afresh)\n", ms(f.coldP50), ms(f.coldP99), f.coldSamples)
	}
	fmt.Fprintf(&w, "  GET /connectors/{c}/status p99 %s (%d requests)\n", ms(f.singleP99), f.singleSamples)
	fmt.Fprintf(&w, "  scheduler CPU while idle:    %.1f%% of one core", f.idleCPU*100)
	if f.workerCPU >= 0 {
		fmt.Fprintf(&w, " (worker process: %.1f%%)", f.workerCPU*100)
	}
	fmt.Fprintf(&w, "\n  scheduler RSS:               %.0f MiB (peak %.0f MiB)\n", f.rssMiB, f.hwmMiB)
	fmt.Fprintf(&w, "  delete all:                  %s\n", f.deleteAll.Round(time.Millisecond))
	return w.String()
}

// report hands every figure to the benchmark output, so `make bench`'s
// table (docs/bench-latest.md) carries them.
func (f scaleFigures) report(b *testing.B) {
	b.ReportMetric(float64(f.n), "connectors")
	b.ReportMetric(f.createRate, "creates/s")
	b.ReportMetric(f.listP50.Seconds()*1000, "list-p50-ms")
	b.ReportMetric(f.listP99.Seconds()*1000, "list-p99-ms")
	b.ReportMetric(f.singleP99.Seconds()*1000, "status-p99-ms")
	b.ReportMetric(f.idleCPU*100, "idle-cpu-%")
	b.ReportMetric(f.rssMiB, "rss-MiB")
	b.ReportMetric(f.deleteAll.Seconds(), "delete-all-s")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// benchProc is a ferry process started by the benchmark.
type benchProc struct {
	cmd *exec.Cmd
	log *lockedBuffer
}

// lockedBuffer is the output of a ferry process, read while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func startFerry(b *testing.B, bin string, env []string, args ...string) *benchProc {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	buf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting ferry %v: %v", args, err)
	}
	p := &benchProc{cmd: cmd, log: buf}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if b.Failed() {
			out := buf.String()
			b.Logf("ferry %v output (tail):\n%s", args, out[max(0, len(out)-4000):])
		}
	})
	return p
}

func freeTCPPort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startControlPlane starts the scheduler for storeKind and returns its
// process, the worker process (nil in standalone) and the REST base URL.
func startControlPlane(b *testing.B, bin string, svc scaleSvc, storeKind string) (sched, worker *benchProc, base string) {
	port := freeTCPPort(b)
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	env := []string{"FERRY_LISTENERS=" + base, "FERRY_BOOTSTRAP_SERVERS=" + svc.kafka, "FERRY_LOG_LEVEL=warn"}
	switch storeKind {
	case "file":
		sched = startFerry(b, bin, env, "standalone", "--data-dir", b.TempDir())
	case "redis":
		opt := flushedRedisDB(b, svc.redis, 9)
		env = append(env, "FERRY_NATS_URL="+svc.nats, fmt.Sprintf("FERRY_NATS_SUBJECT=ferry.bench.scale.%d", os.Getpid()),
			fmt.Sprintf("FERRY_STATE=redis://%s/9", opt.Addr))
		sched = startFerry(b, bin, env, "scheduler")
		worker = startFerry(b, bin, env, "worker", "--concurrency", "64")
	default:
		b.Fatalf("FERRY_SCALE_STORES: unknown store %q (file, redis)", storeKind)
	}
	waitUp(b, base)
	return sched, worker, base
}

// flushedRedisDB empties Redis database db, the benchmark's own, and
// returns its options.
func flushedRedisDB(b *testing.B, url string, db int) *redis.Options {
	opt, err := redis.ParseURL(url)
	if err != nil {
		b.Fatalf("REDIS_URL: %v", err)
	}
	opt.DB = db
	rc := redis.NewClient(opt)
	defer rc.Close()
	if err := rc.FlushDB(context.Background()).Err(); err != nil {
		b.Fatalf("flushing redis db %d: %v", db, err)
	}
	return opt
}

func waitUp(b *testing.B, base string) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/connectors"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("ferry at %s did not answer within 60s", base)
}

// runScale runs one store's scenario and measures it.
func runScale(b *testing.B, bin string, svc scaleSvc, storeKind string, p scaleSettings) scaleFigures {
	sched, worker, base := startControlPlane(b, bin, svc, storeKind)
	c := &scaleClient{b: b, base: base, http: &http.Client{Timeout: 5 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: p.clients * 2}}}
	f := scaleFigures{store: storeKind, n: p.n, workerCPU: -1}
	names := c.createAll(p, "scale", &f)
	time.Sleep(p.settle)
	f.idleCPU = cpuShare(b, sched.cmd.Process.Pid, worker, p.window, &f.workerCPU)
	f.listP50, f.listP99, f.listSamples = c.latencies(20, func(int) string { return "/connectors?expand=status" })
	f.coldP50, f.coldP99, f.coldSamples = c.latencies(10, func(i int) string {
		c.restartTask(names[(i*104729)%len(names)])
		return "/connectors?expand=status"
	})
	_, f.singleP99, f.singleSamples = c.latencies(500, func(i int) string { return "/connectors/" + names[(i*7919)%len(names)] + "/status" })
	f.rssMiB, f.hwmMiB = rss(b, sched.cmd.Process.Pid)
	start := time.Now()
	parallel(p.clients, len(names), func(i int) { c.delete(names[i]) })
	c.waitEmpty(p.readyTimeout)
	f.deleteAll = time.Since(start)
	f.load1 = loadAverage()
	return f
}

// createAll creates p.n connectors named prefix-<run>-<i> through c, waits
// until every task runs, and records the create rate, the time to all
// RUNNING and the number of sinks in f.
func (c *scaleClient) createAll(p scaleSettings, prefix string, f *scaleFigures) []string {
	names := make([]string, p.n)
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%s-%05d", prefix, run, i)
		if i%p.sinkEvery == p.sinkEvery-1 {
			f.sinks++
		}
	}
	start := time.Now()
	parallel(p.clients, len(names), func(i int) { c.create(names[i], connectorConfig(names[i], run, i, p.sinkEvery)) })
	f.createRate = float64(p.n) / time.Since(start).Seconds()
	c.waitAllRunning(p.n, p.readyTimeout)
	f.allRunning = time.Since(start)
	return names
}

// connectorConfig is connector i: a datagen source that emits one record
// and then idles, or (every sinkEvery-th) a FileStreamSink on an empty topic.
func connectorConfig(name, run string, i, sinkEvery int) map[string]string {
	if i%sinkEvery == sinkEvery-1 {
		return map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
			"tasks.max": "1", "topics": "ferry-bench-scale-empty-" + run, "file": os.DevNull}
	}
	return map[string]string{"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
		"tasks.max": "1", "kafka.topic": "ferry-bench-scale-" + run, "quickstart": "users", "iterations": "1",
		"max.interval": "0", "random.seed": strconv.Itoa(i)}
}

// parallel runs fn(0..n-1) on k goroutines and waits for them.
func parallel(k, n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
