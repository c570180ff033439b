//go:build integration

package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state/kafka/kafkatest"
)

// restartService stops and starts one localstack service, keeping its data.
func restartService(t *testing.T, name string) time.Duration {
	t.Helper()
	start := time.Now()
	root := filepath.Join("..", "..", "localstack")
	for _, cmd := range [][]string{{filepath.Join(root, "down"), name}, {filepath.Join(root, "up"), name}} {
		c := exec.Command(cmd[0], cmd[1:]...)
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, b)
		}
	}
	return time.Since(start)
}

// taskTrace returns the first task state and trace the status API shows for connector.
func (c *cluster) taskTrace(connector string) string {
	code, body := c.api.do("GET", "/connectors/"+connector+"/status", nil)
	if code != 200 {
		return ""
	}
	return string(body)
}

// Restart the Kafka broker, Redis and the scheduler while a pipeline with an
// exactly-once source runs: tasks go to FAILED with a retry trace, recover on
// their own, lose nothing, and a read_committed consumer sees no duplicate.
func TestRestartServicesMidPipeline(t *testing.T) {
	c := newCluster(t, 14)
	c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 100_000
	// max.interval=2 paces datagen at about 2,000 records/s (0 or 1 ms between
	// records), so the pipeline is still running through all three restarts.
	topic := pipeline(c, n, out, map[string]string{"max.interval": "2", "exactly.once.support": "required"})
	distinct := func() int { _, u, _, _ := fileCounts(out); return u }
	progress := func(what string, min int) {
		waitFor(t, 2*time.Minute, what, func() bool { return distinct() > min || distinct() >= n })
	}
	progress("the pipeline to be under way", 5_000)
	// The status is watched from before the broker stops until 8 s after it
	// is back: a task whose invocation fails while Kafka is down reports
	// FAILED with a retry trace, and may recover before the restart returns.
	var tracesMu sync.Mutex
	traces := map[string]bool{}
	watchDone, watched := make(chan struct{}), make(chan struct{})
	go func() { // owned by this test: stopped through watchDone, waited on through watched
		defer close(watched)
		for {
			for _, conn := range []string{topic + "-src", topic + "-sink"} {
				if s := c.taskTrace(conn); strings.Contains(s, `"FAILED"`) && strings.Contains(s, "ferry retries automatically") {
					tracesMu.Lock()
					traces[conn] = true
					tracesMu.Unlock()
				}
			}
			select {
			case <-watchDone:
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
	at := []int{distinct()}
	took := restartService(t, "kafka")
	time.Sleep(8 * time.Second)
	close(watchDone)
	<-watched
	t.Logf("kafka restarted in %s; tasks reported FAILED with a retry trace: %v", took.Round(time.Second), traces)
	progress("progress after the Kafka restart", distinct()+1000)
	at = append(at, distinct())
	took = restartService(t, "redis")
	t.Logf("redis restarted in %s", took.Round(time.Second))
	at = append(at, distinct())
	c.sched.kill()
	c.sched = start(t, c.env, "scheduler")
	c.api.waitReady()
	waitFor(t, 4*time.Minute, "every record after three restarts", func() bool { return distinct() >= n })
	time.Sleep(time.Second)
	lines, unique, dups, torn := fileCounts(out)
	t.Logf("Kafka, Redis, scheduler restarted at %v distinct sink records (of %d); %d torn", at, n, torn)
	got, inTopic := committedIterations(t, c.svc.kafka, topic, n)
	reportRow(t, "restart Kafka, Redis, scheduler: datagen->Kafka, exactly-once", n, int64(inTopic), int64(n-inTopic), int64(got-inTopic))
	reportRow(t, "restart Kafka, Redis, scheduler: Kafka->file sink", n, int64(unique), int64(n-unique), int64(dups))
	if got != n || inTopic != n {
		t.Fatalf("read_committed consumer: %d records, %d distinct; want exactly %d", got, inTopic, n)
	}
	if unique != n {
		t.Fatalf("sink file: lines=%d unique=%d dups=%d torn=%d, want %d unique", lines, unique, dups, torn, n)
	}
	for _, a := range at {
		if a >= n {
			t.Fatalf("a restart came after the pipeline ended: %v", at)
		}
	}
	if len(traces) == 0 {
		t.Fatalf("no task reported FAILED with a retry trace while Kafka was down")
	}
	waitFor(t, time.Minute, "tasks back to RUNNING", func() bool {
		s := c.taskTrace(topic+"-sink") + c.taskTrace(topic+"-src")
		return strings.Count(s, `"state":"RUNNING"`) == 4
	})
}

// TestSchedulerKilledKafkaState: two schedulers share Kafka as the only
// store; the one the election group made leader is killed -9 mid-pipeline;
// the standby leads once the group's session of the dead one times out, and
// every record arrives, none read twice by the read_committed consumer.
func TestSchedulerKilledKafkaState(t *testing.T) {
	c := newKafkaStateCluster(t)
	port := freePort(t)
	standby := &cluster{t: t, svc: c.svc, env: append(append([]string{}, c.env...), fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", port)),
		api: api{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}}
	standby.sched = start(t, standby.env, "scheduler")
	standby.api.waitReady()
	c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 100_000
	topic := pipeline(c, n, out, map[string]string{"max.interval": "2", "exactly.once.support": "required"})
	distinct := func() int { _, u, _, _ := fileCounts(out); return u }
	waitFor(t, 2*time.Minute, "the pipeline to be under way", func() bool { return distinct() > 5_000 })
	leads := func(s *cluster) bool {
		code, body := s.api.do("GET", "/metrics", nil)
		return code == 200 && strings.Contains(string(body), "\nferry_scheduler_leader 1")
	}
	var leader, other *cluster
	waitFor(t, time.Minute, "one scheduler to lead", func() bool {
		switch a, b := leads(c), leads(standby); {
		case a && !b:
			leader, other = c, standby
		case b && !a:
			leader, other = standby, c
		}
		return leader != nil
	})
	at := distinct()
	leader.sched.kill()
	killed := time.Now()
	waitFor(t, time.Minute, "the standby to lead", func() bool { return leads(other) })
	took := time.Since(killed)
	waitFor(t, 4*time.Minute, "every record after the leader's kill", func() bool { return distinct() >= n })
	time.Sleep(time.Second)
	lines, unique, dups, torn := fileCounts(out)
	got, inTopic := committedIterations(t, c.svc.kafka, topic, n)
	t.Logf("leader killed at %d distinct sink records of %d; the standby led %s later; %d torn", at, n, took.Round(100*time.Millisecond), torn)
	reportRow(t, "kill -9 leading scheduler, state in Kafka: datagen->Kafka, exactly-once", n, int64(inTopic), int64(n-inTopic), int64(got-inTopic))
	reportRow(t, "kill -9 leading scheduler, state in Kafka: Kafka->file sink", n, int64(unique), int64(n-unique), int64(dups))
	if got != n || inTopic != n {
		t.Fatalf("read_committed consumer: %d records, %d distinct; want exactly %d", got, inTopic, n)
	}
	if unique != n || at >= n {
		t.Fatalf("sink file: lines=%d unique=%d dups=%d (killed at %d), want %d unique", lines, unique, dups, at, n)
	}
}

// TestRestartBrokerKafkaState: Kafka as the only store, on a private broker
// (state/kafka/kafkatest) that is stopped and started mid-pipeline, then
// the scheduler killed -9 and started again: nothing lost, nothing read
// twice by a read_committed consumer. The shared broker is not touched.
func TestRestartBrokerKafkaState(t *testing.T) {
	b := kafkatest.Start(t)
	svc := needServices(t)
	svc.kafka = strings.Join(b.Seeds(), ",")
	c := kafkaStateCluster(t, svc)
	c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 100_000
	topic := pipeline(c, n, out, map[string]string{"max.interval": "2", "exactly.once.support": "required"})
	distinct := func() int { _, u, _, _ := fileCounts(out); return u }
	waitFor(t, 2*time.Minute, "the pipeline to be under way", func() bool { return distinct() > 5_000 })
	at := []int{distinct()}
	b.Stop()
	time.Sleep(3 * time.Second) // down long enough for every process to notice
	b.Run()
	waitFor(t, 2*time.Minute, "progress after the broker restart", func() bool { return distinct() > at[0]+1_000 || distinct() >= n })
	at = append(at, distinct())
	c.sched.kill()
	c.sched = start(t, c.env, "scheduler")
	c.api.waitReady()
	waitFor(t, 4*time.Minute, "every record after the restarts", func() bool { return distinct() >= n })
	time.Sleep(time.Second)
	lines, unique, dups, torn := fileCounts(out)
	got, inTopic := committedIterations(t, c.svc.kafka, topic, n)
	t.Logf("broker restarted at %d, scheduler killed at %d distinct sink records (of %d); %d torn", at[0], at[1], n, torn)
	reportRow(t, "restart Kafka, kill -9 scheduler, state in Kafka: datagen->Kafka, exactly-once", n, int64(inTopic), int64(n-inTopic), int64(got-inTopic))
	reportRow(t, "restart Kafka, kill -9 scheduler, state in Kafka: Kafka->file sink", n, int64(unique), int64(n-unique), int64(dups))
	if got != n || inTopic != n {
		t.Fatalf("read_committed consumer: %d records, %d distinct; want exactly %d", got, inTopic, n)
	}
	if unique != n || at[1] >= n {
		t.Fatalf("sink file: lines=%d unique=%d dups=%d (faults at %v), want %d unique", lines, unique, dups, at, n)
	}
}
