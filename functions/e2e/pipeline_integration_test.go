//go:build integration

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// cluster is a distributed ferry: one scheduler and its workers, with Redis
// state in a database of its own and the real Kafka and NATS.
type cluster struct {
	t     testing.TB
	svc   services
	env   []string
	api   api
	sched *proc
}

func newCluster(t testing.TB, db int) *cluster { return newClusterWith(t, db) }

// newClusterWith is newCluster with extra FERRY_* settings for every process.
func newClusterWith(t testing.TB, db int, extra ...string) *cluster {
	svc := needServices(t)
	opt, err := redis.ParseURL(svc.redis)
	if err != nil {
		t.Fatalf("REDIS_URL %q: %v", svc.redis, err)
	}
	opt.DB = db
	rc := redis.NewClient(opt)
	if err := rc.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flushing redis db %d: %v", db, err)
	}
	rc.Close()
	return startCluster(t, svc, append([]string{fmt.Sprintf("FERRY_STATE=redis://%s/%d", opt.Addr, db)}, extra...)...)
}

// newKafkaStateCluster is a cluster whose only store is Kafka
// (ferry.state=kafka): Kafka Connect's three topics and ferry's fourth,
// under fresh names, and no Redis.
func newKafkaStateCluster(t testing.TB, extra ...string) *cluster {
	return kafkaStateCluster(t, needServices(t), extra...)
}

// kafkaStateCluster is newKafkaStateCluster on the Kafka of svc.
func kafkaStateCluster(t testing.TB, svc services, extra ...string) *cluster {
	g := uniqueName("kstate")
	return startCluster(t, svc, append([]string{"FERRY_STATE=kafka", "FERRY_GROUP_ID=" + g,
		"FERRY_CONFIG_STORAGE_TOPIC=" + g + "-configs", "FERRY_OFFSET_STORAGE_TOPIC=" + g + "-offsets",
		"FERRY_STATUS_STORAGE_TOPIC=" + g + "-status", "FERRY_CONFIG_STORAGE_REPLICATION_FACTOR=1",
		"FERRY_OFFSET_STORAGE_REPLICATION_FACTOR=1", "FERRY_STATUS_STORAGE_REPLICATION_FACTOR=1"}, extra...)...)
}

// startCluster starts the scheduler with the state settings in env.
func startCluster(t testing.TB, svc services, env ...string) *cluster {
	port := freePort(t)
	c := &cluster{t: t, svc: svc, env: []string{
		"FERRY_NATS_URL=" + svc.nats, "FERRY_NATS_SUBJECT=" + uniqueName("ferry.invoke.test"),
		"FERRY_BOOTSTRAP_SERVERS=" + svc.kafka,
		fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", port),
		"FERRY_INVOCATION_TIMEOUT=5s",
		"FERRY_MAX_RECORDS=20000",
	}, api: api{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}}
	c.env = append(c.env, env...)
	c.sched = start(t, c.env, "scheduler")
	c.api.waitReady()
	return c
}

func (c *cluster) worker() *proc { return start(c.t, c.env, "worker", "--concurrency", "4") }

var orderID = regexp.MustCompile(`orderid=(\d+)`)

// sinkCounts reads the sink file and counts whole records, distinct order
// ids and duplicates; a record torn by kill -9 mid-write (written again whole
// by the next invocation) and a last line still being written are not counted.
func sinkCounts(t testing.TB, path string) (lines, unique, dups int) {
	_, unique, dups, _ = fileCounts(path)
	return unique + dups, unique, dups
}

// datagenToFile creates a datagen -> Kafka source and a Kafka -> file sink.
func datagenToFile(c *cluster, records int, out string) (topic string) {
	name := uniqueName("orders")
	topic = name
	c.api.create(name+"-src", map[string]string{
		"connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
		"kafka.topic":     topic, "quickstart": "orders", "iterations": strconv.Itoa(records),
		"max.interval": "0", "random.seed": "7", "tasks.max": "1", "poll.interval.ms": "200",
	})
	c.api.create(name+"-sink", map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": out, "tasks.max": "1", "poll.interval.ms": "200",
	})
	return topic
}

func TestDatagenToFile100k(t *testing.T) {
	c := newCluster(t, 11)
	c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 100_000
	begin := time.Now()
	topic := datagenToFile(c, n, out)
	adm := kafkaAdmin(t, c.svc.kafka)
	waitFor(t, 3*time.Minute, "100,000 records in the sink file", func() bool {
		lines, _, _ := sinkCounts(t, out)
		return lines >= n && topicCount(t, adm, topic) >= n
	})
	time.Sleep(time.Second) // let any late duplicate land before counting
	lines, unique, dups := sinkCounts(t, out)
	t.Logf("datagen -> kafka -> file: %d lines, %d unique, %d duplicates, topic has %d records, %.1fs",
		lines, unique, dups, topicCount(t, adm, topic), time.Since(begin).Seconds())
	if unique != n || dups != 0 || lines != n {
		t.Fatalf("want exactly %d unique lines and no duplicates, got lines=%d unique=%d dups=%d", n, lines, unique, dups)
	}
	if got := topicCount(t, adm, topic); got != n {
		t.Fatalf("topic %s has %d records, want %d", topic, got, n)
	}
	code, body := c.api.do("GET", "/connectors/"+topic+"-sink/status", nil)
	if code != 200 || !regexp.MustCompile(`"state":"RUNNING"`).Match(body) {
		t.Fatalf("sink status: %d %s", code, body)
	}
}

func TestWorkerKilledMidPipeline(t *testing.T) {
	c := newCluster(t, 12)
	first := c.worker()
	out := filepath.Join(t.TempDir(), "orders.txt")
	const n = 100_000
	datagenToFile(c, n, out)
	waitFor(t, 2*time.Minute, "the pipeline to be under way", func() bool {
		lines, _, _ := sinkCounts(t, out)
		return lines > 10_000
	})
	first.kill() // kill -9 in the middle of the pipeline
	killedAt, _, _ := sinkCounts(t, out)
	c.worker()
	waitFor(t, 3*time.Minute, "every record after the kill", func() bool {
		_, unique, _ := sinkCounts(t, out)
		return unique >= n
	})
	time.Sleep(time.Second)
	lines, unique, dups := sinkCounts(t, out)
	t.Logf("kill -9 at %d lines: produced %d, delivered %d unique, lost %d, duplicated %d (at-least-once)", killedAt, n, unique, n-unique, dups)
	if unique != n {
		t.Fatalf("lost %d records", n-unique)
	}
	if lines != unique+dups {
		t.Fatalf("line accounting: lines=%d unique=%d dups=%d", lines, unique, dups)
	}
}
