//go:build integration

package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/redis"
	"github.com/ferryhq/ferry/functions/sinktest"
	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
)

// outage is how long the fault tests keep the server down.
const outage = 30 * time.Second

// sinkFault is a Fault for the sink writing topic to the stream key of
// rdb: record i is {"id":i}; Seen counts the stream's entries per id.
func sinkFault(r *sinktest.Rig, rdb *goredis.Client, uri, name string) *sinktest.Fault {
	topic := r.Topic(name, 1)
	stream := "ferrytest:" + topic
	r.T.Cleanup(func() { rdb.Del(context.Background(), stream) })
	mk := func(i int) *kgo.Record { return &kgo.Record{Value: []byte(fmt.Sprintf(`{"id":%d}`, i))} }
	return &sinktest.Fault{R: r, Name: name + "-" + topic,
		Cfg: map[string]string{"connector.class": redis.SinkClass, "topics": topic, "redis.uri": uri, "redis.key": stream,
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"},
		Feed: func(from, n int) error { return r.TryProduce(topic, 1, from, n, mk) },
		Seen: func() map[int]int {
			seen := map[int]int{}
			entries, _ := rdb.XRange(context.Background(), stream, "-", "+").Result()
			for _, e := range entries {
				id, _ := strconv.Atoi(fmt.Sprint(e.Values["id"]))
				seen[id]++
			}
			return seen
		}}
}

// sourceFault is a Fault for the stream source reading the stream key of
// rdb into a topic: entry i has n=i; Seen counts the topic's records per n.
func sourceFault(r *sinktest.Rig, rdb *goredis.Client, uri, name string) *sinktest.Fault {
	topic := r.Topic(name, 1)
	stream := "ferrytest:" + topic
	r.T.Cleanup(func() { rdb.Del(context.Background(), stream) })
	return &sinktest.Fault{R: r, Name: name + "-" + topic,
		Cfg: map[string]string{"connector.class": redis.SourceClass, "redis.uri": uri, "redis.stream.name": stream,
			"topic": topic, "batch.size": "500", "redis.stream.consumer.group": "ferry-fault",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"},
		Feed: func(from, n int) error {
			pipe := rdb.Pipeline()
			for i := from; i < from+n; i++ {
				pipe.XAdd(context.Background(), &goredis.XAddArgs{Stream: stream, Values: []any{"n", strconv.Itoa(i)}})
			}
			_, err := pipe.Exec(context.Background())
			return err
		},
		Seen: func() map[int]int {
			seen := map[int]int{}
			for _, rec := range r.ReadAll(topic) {
				var v struct{ Body map[string]string }
				if json.Unmarshal(rec.Value, &v) == nil {
					n, _ := strconv.Atoi(v.Body["n"])
					seen[n]++
				}
			}
			return seen
		}}
}

// The worker running the sink is killed (kill -9) while records still
// arrive; the next worker loses none. Duplicates (stream entries written
// again: the offsets were not committed) are counted.
func TestRedisSinkWorkerKilled(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { sinktest.WorkLoop(t, newRig(t).Rig) }) {
		return
	}
	r := newRig(t)
	sinkFault(r.Rig, r.rdb, r.uri, "redis-sink-kill").KillWorker(t, "kill -9 worker mid-stream: Kafka->Redis stream sink", 2000, false)
}

// The stream source's worker is killed while entries still arrive: none
// lost; entries read again (stream IDs not yet committed) are counted.
func TestRedisSourceWorkerKilled(t *testing.T) {
	if sinktest.AsChild(t, func(t *testing.T) { sinktest.WorkLoop(t, newRig(t).Rig) }) {
		return
	}
	r := newRig(t)
	sourceFault(r.Rig, r.rdb, r.uri, "redis-source-kill").KillWorker(t, "kill -9 worker mid-stream: Redis stream source->Kafka", 2000, false)
}

// A private redis-server is killed for 30 s while records still arrive:
// the invocations are RETRYING naming it, resume after its restart, and
// nothing is lost.
func TestRedisSinkServerDown30s(t *testing.T) {
	rs := startPrivateRedis(t)
	cl := goredis.NewClient(&goredis.Options{Addr: rs.addr()})
	t.Cleanup(func() { cl.Close() })
	r := sinktest.New(t, "redis-fault", redis.Sink())
	sinkFault(r, cl, "redis://"+rs.addr()+"/0", "redis-sink-down").
		Outage(t, "redis-server down 30 s mid-stream: Kafka->Redis stream sink", 2000, outage, rs.stop, rs.start, redis.ErrConnect.Error())
}

// The same outage under the stream source.
func TestRedisSourceServerDown30s(t *testing.T) {
	rs := startPrivateRedis(t)
	cl := goredis.NewClient(&goredis.Options{Addr: rs.addr()})
	t.Cleanup(func() { cl.Close() })
	r := sinktest.New(t, "redis-fault", redis.StreamSource())
	sourceFault(r, cl, "redis://"+rs.addr()+"/0", "redis-source-down").
		Outage(t, "redis-server down 30 s mid-stream: Redis stream source->Kafka", 2000, outage, rs.stop, rs.start, redis.ErrConnect.Error())
}
