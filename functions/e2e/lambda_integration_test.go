//go:build integration

package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// lambdaBed is the runtime interface emulator from `localstack/up lambda`:
// its endpoint, the state store its function was started with, and its
// function timeout in seconds.
type lambdaBed struct {
	endpoint, state, rie, bootstrap string
	timeout                         int
}

func needLambda(t testing.TB) lambdaBed {
	t.Helper()
	b := lambdaBed{endpoint: os.Getenv("LAMBDA_ENDPOINT"), state: os.Getenv("LAMBDA_FERRY_STATE"),
		rie: os.Getenv("LAMBDA_RIE"), bootstrap: os.Getenv("LAMBDA_BOOTSTRAP")}
	b.timeout, _ = strconv.Atoi(os.Getenv("LAMBDA_TIMEOUT"))
	if b.endpoint == "" || b.state == "" || b.timeout == 0 || b.rie == "" || b.bootstrap == "" {
		t.Fatalf("LAMBDA_ENDPOINT, LAMBDA_FERRY_STATE, LAMBDA_TIMEOUT, LAMBDA_RIE and LAMBDA_BOOTSTRAP must be set: run `eval \"$(localstack/up kafka redis lambda)\"`")
	}
	return b
}

// lambdaScheduler starts `ferry scheduler --dispatch lambda` on the emulator
// at endpoint: one invocation in flight at a time (the emulator runs one), the
// same state store as the function, debug logs (one "dispatching" line per
// invocation).
func lambdaScheduler(t *testing.T, endpoint string, timeout time.Duration, maxRecords int) (*cluster, *proc) {
	svc := needServices(t)
	bed := needLambda(t)
	flushLambdaState(t, bed.state)
	port := freePort(t)
	c := &cluster{t: t, svc: svc, env: []string{
		"FERRY_STATE=" + bed.state,
		"FERRY_LISTENERS=http://127.0.0.1:" + strconv.Itoa(port),
		"FERRY_INVOCATION_TIMEOUT=" + timeout.String(),
		"FERRY_MAX_RECORDS=" + strconv.Itoa(maxRecords),
		"FERRY_LOG_LEVEL=debug",
	}, api: api{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port)}}
	p := start(t, c.env, "scheduler", "--dispatch", "lambda", "--lambda-endpoint", endpoint,
		"--lambda-function", "function", "--lambda-concurrency", "1", "--lambda-max-in-flight", "1")
	c.sched = p
	c.api.waitReady()
	return c, p
}

// emulator is a runtime interface emulator this test started, running the
// bootstrap from `localstack/up lambda` with a function timeout of its own.
type emulator struct {
	endpoint string
	cmd      *exec.Cmd
	out      *bytes.Buffer
}

// startEmulator starts aws-lambda-rie with the function's environment: the
// emulator's state store and Kafka, and timeoutSec as its Lambda timeout.
func startEmulator(t testing.TB, timeoutSec int, env ...string) *emulator {
	t.Helper()
	return startEmulatorWith(t, needLambda(t).bootstrap, timeoutSec, env...)
}

// startEmulatorWith is startEmulator running the function binary bootstrap.
func startEmulatorWith(t testing.TB, bootstrap string, timeoutSec int, env ...string) *emulator {
	t.Helper()
	bed, svc := needLambda(t), needServices(t)
	port, api := freePort(t), freePort(t)
	e := &emulator{endpoint: "http://127.0.0.1:" + strconv.Itoa(port), out: &bytes.Buffer{}}
	e.cmd = exec.Command(bed.rie, "--log-level", "warn",
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(port),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(api), bootstrap)
	e.cmd.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(timeoutSec),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "FERRY_STATE="+bed.state,
		"FERRY_BOOTSTRAP_SERVERS="+svc.kafka, "FERRY_LOG_LEVEL=warn")
	e.cmd.Env = append(e.cmd.Env, env...)
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bed.rie, err)
	}
	t.Cleanup(e.stop)
	waitFor(t, 30*time.Second, "the emulator to listen", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return e
}

// stop kills the emulator and the bootstrap it started (its process group).
func (e *emulator) stop() {
	if e.cmd.ProcessState == nil {
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		_ = e.cmd.Wait()
	}
}

// flushLambdaState empties the emulator function's store (a database only
// these tests use), so connectors of an earlier, killed run do not compete
// for the emulator's single invocation slot.
func flushLambdaState(t *testing.T, spec string) {
	opt, err := redis.ParseURL(spec)
	if err != nil {
		t.Fatalf("LAMBDA_FERRY_STATE %q: %v", spec, err)
	}
	rc := redis.NewClient(opt)
	defer rc.Close()
	if err := rc.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flushing %s: %v", spec, err)
	}
}

// dispatches counts the invocations the scheduler sent for task 0 of connector
// (their ids are <connector>-<task>-<epoch>).
func dispatches(p *proc, connector string) int {
	return len(regexp.MustCompile(`msg=dispatching .*invocation=`+regexp.QuoteMeta(connector)+`-0-[0-9]+\b`).FindAll(p.log.Bytes(), -1))
}

// runLambdaPipeline runs datagen -> Kafka -> file through the emulator and
// checks the exact counts. It returns the topic (the connectors' prefix).
func runLambdaPipeline(t *testing.T, c *cluster, n int, within time.Duration) string {
	out := filepath.Join(t.TempDir(), "orders.txt")
	topic := datagenToFile(c, n, out)
	t.Cleanup(func() { flushLambdaState(t, needLambda(t).state) })
	adm := kafkaAdmin(t, c.svc.kafka)
	waitFor(t, within, strconv.Itoa(n)+" records in the sink file", func() bool {
		b, _ := os.ReadFile(out) // the sink may be mid-line: count newlines only
		return bytes.Count(b, []byte("\n")) >= n && topicCount(t, adm, topic) >= int64(n)
	})
	time.Sleep(time.Second) // let any late duplicate land before counting
	lines, unique, dups := sinkCounts(t, out)
	if got := topicCount(t, adm, topic); got != int64(n) {
		t.Fatalf("topic %s has %d records, want exactly %d", topic, got, n)
	}
	if lines != n || unique != n || dups != 0 {
		t.Fatalf("sink file: lines=%d unique=%d dups=%d, want exactly %d unique lines", lines, unique, dups, n)
	}
	return topic
}

// TestLambdaDatagenToFile runs the runtime issue's pipeline with every
// invocation going through the Lambda Invoke API into the emulator: small
// batches, so offsets must resume across many invocations.
func TestLambdaDatagenToFile(t *testing.T) {
	const n, batch = 20_000, 3_000
	c, sched := lambdaScheduler(t, needLambda(t).endpoint, 2*time.Second, batch)
	topic := runLambdaPipeline(t, c, n, 3*time.Minute)
	// Status shows the Lambda request id (a UUID from the emulator) as worker id.
	code, body := c.api.do("GET", "/connectors/"+topic+"-sink/status", nil)
	requestID := regexp.MustCompile(`"tasks":\[\{"id":0,"state":"RUNNING","worker_id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)
	if code != 200 || !requestID.Match(body) {
		t.Fatalf("sink status %d %s: want RUNNING with a Lambda request id as worker_id", code, body)
	}
	sched.stop()
	src, sink := dispatches(sched, topic+"-src"), dispatches(sched, topic+"-sink")
	t.Logf("%d records through Lambda: %d source and %d sink invocations", n, src, sink)
	if src < n/batch+1 || sink < 2 {
		t.Fatalf("source invocations = %d, sink invocations = %d: want >= %d and >= 2 (offsets resumed across invocations)", src, sink, n/batch+1)
	}
}

// TestLambdaDeadline gives invocations far more time (60 s) and records
// (10 M) than the function's Lambda timeout (2 s, on an emulator of its own)
// allows: each invocation must stop at the Lambda deadline minus the safety
// margin, commit what it finished and return, and the next one continue.
// Had one overrun, the emulator would have killed it ("Task timed out"),
// its records would be produced again and the exact count would fail.
func TestLambdaDeadline(t *testing.T) {
	const n = 150_000
	emu := startEmulator(t, 2)
	c, sched := lambdaScheduler(t, emu.endpoint, time.Minute, 10_000_000)
	topic := runLambdaPipeline(t, c, n, 4*time.Minute)
	sched.stop()
	src, sink := dispatches(sched, topic+"-src"), dispatches(sched, topic+"-sink")
	t.Logf("%d records; %d source and %d sink invocations, each cut by the Lambda deadline", n, src, sink)
	if src < 2 {
		t.Fatalf("the source finished in %d invocation: make n larger, the deadline was never reached", src)
	}
	if bytes.Contains(sched.log.Bytes(), []byte("timed out")) || bytes.Contains(emu.out.Bytes(), []byte("timed out")) {
		t.Fatalf("an invocation overran the Lambda timeout:\n%s\n%s", tail(sched.log.String(), 2000), tail(emu.out.String(), 2000))
	}
}

// TestLambdaKafkaUnreachable: a function that cannot reach Kafka answers a
// Result naming the cause (not a crash), and the scheduler shows the task
// FAILED with that trace while it retries.
func TestLambdaKafkaUnreachable(t *testing.T) {
	emu := startEmulator(t, 10, "FERRY_BOOTSTRAP_SERVERS=127.0.0.1:1")
	c, _ := lambdaScheduler(t, emu.endpoint, 3*time.Second, 1000)
	name := uniqueName("nokafka")
	c.api.create(name, map[string]string{"connector.class": "datagen", "kafka.topic": name,
		"quickstart": "orders", "iterations": "10", "max.interval": "0"})
	waitFor(t, time.Minute, "the task to show FAILED with a Kafka trace", func() bool {
		_, body := c.api.do("GET", "/connectors/"+name+"/status", nil)
		return bytes.Contains(body, []byte(`"state":"FAILED"`)) && bytes.Contains(body, []byte("Kafka")) &&
			bytes.Contains(body, []byte("ferry retries automatically"))
	})
}

// TestLambdaEndpointDown: with nothing listening at the Lambda endpoint, the
// dispatch failure is visible in status and retried.
func TestLambdaEndpointDown(t *testing.T) {
	c, _ := lambdaScheduler(t, "http://127.0.0.1:"+strconv.Itoa(freePort(t)), 3*time.Second, 1000)
	name := uniqueName("nolambda")
	c.api.create(name, map[string]string{"connector.class": "datagen", "kafka.topic": name,
		"quickstart": "orders", "iterations": "10", "max.interval": "0"})
	waitFor(t, time.Minute, "the task to show FAILED with the Invoke error", func() bool {
		_, body := c.api.do("GET", "/connectors/"+name+"/status", nil)
		return bytes.Contains(body, []byte(`"state":"FAILED"`)) && bytes.Contains(body, []byte("invoking Lambda function")) &&
			bytes.Contains(body, []byte("ferry retries automatically"))
	})
}

// TestLambdaBridge dispatches over NATS as usual and runs every invocation on
// Lambda through `ferry lambda-bridge`.
func TestLambdaBridge(t *testing.T) {
	const n = 5_000
	svc, bed := needServices(t), needLambda(t)
	flushLambdaState(t, bed.state)
	port := freePort(t)
	c := &cluster{t: t, svc: svc, env: []string{
		"FERRY_STATE=" + bed.state, "FERRY_NATS_URL=" + svc.nats, "FERRY_NATS_SUBJECT=" + uniqueName("ferry.invoke.test"),
		"FERRY_LISTENERS=http://127.0.0.1:" + strconv.Itoa(port),
		"FERRY_INVOCATION_TIMEOUT=2s", "FERRY_MAX_RECORDS=2000",
	}, api: api{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port)}}
	c.sched = start(t, c.env, "scheduler")
	c.api.waitReady()
	start(t, c.env, "lambda-bridge", "--concurrency", "1", "--lambda-endpoint", bed.endpoint,
		"--lambda-function", "function", "--lambda-max-in-flight", "1")
	topic := runLambdaPipeline(t, c, n, 2*time.Minute)
	code, body := c.api.do("GET", "/connectors/"+topic+"-src/status", nil)
	uuid := regexp.MustCompile(`"worker_id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)
	if code != 200 || !uuid.Match(body) {
		t.Fatalf("source status %d %s: want a Lambda request id as worker_id", code, body)
	}
}
