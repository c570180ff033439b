//go:build integration

package redis_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/redis"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/sinktest"
	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
)

// privateRedis is a redis-server of the test's own (the stack's must not be
// stopped), with an append-only file so a restart keeps what was written.
type privateRedis struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T) *privateRedis {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &privateRedis{t: t, port: l.Addr().(*net.TCPAddr).Port, dir: t.TempDir()}
	l.Close()
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *privateRedis) start() {
	p.cmd = exec.Command("redis-server", "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1", "--dir", p.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "")
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("redis-server must be installed: %v", err)
	}
	cl := goredis.NewClient(&goredis.Options{Addr: p.addr()})
	defer cl.Close()
	for deadline := time.Now().Add(10 * time.Second); cl.Ping(context.Background()).Err() != nil; {
		if time.Now().After(deadline) {
			p.t.Fatal("private redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server (kill -9) and waits for it.
func (p *privateRedis) stop() {
	if p.cmd != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

func (p *privateRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// The server killed between two runs: the invocation is RETRYING with the
// cause; restarted, the next run reads exactly the records not committed
// and Redis holds every record once.
func TestRedisSinkServerDown(t *testing.T) {
	rs := startPrivateRedis(t)
	r := sinktest.New(t, "redis-down", redis.Sink())
	topic := r.Topic("redis-down", 1)
	mk := func(i int) *kgo.Record {
		return &kgo.Record{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(fmt.Sprintf("value %d", i))}
	}
	cfg := map[string]string{"connector.class": redis.SinkClass, "topics": topic, "redis.uri": "redis://" + rs.addr() + "/0",
		"redis.type": "STRING", "key.converter": "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter"}
	r.Produce(topic, 1, 0, 10000, mk)
	r.Drain("down-"+topic, cfg)
	rs.stop()
	r.Produce(topic, 1, 10000, 10000, mk)
	res, _ := r.H.Handle(context.Background(), r.Invocation("down-"+topic, cfg))
	if res.State != functions.StateRetrying || !strings.Contains(res.Trace, "cannot reach redis") {
		t.Fatalf("state %s (%s), want RETRYING naming the server", res.State, res.Trace)
	}
	rs.start()
	if n := read(r.Drain("down-"+topic, cfg)); n != 10000 {
		t.Fatalf("run after the restart read %d, want 10000", n)
	}
	cl := goredis.NewClient(&goredis.Options{Addr: rs.addr()})
	defer cl.Close()
	if n := cl.DBSize(context.Background()).Val(); n != 20000 {
		t.Fatalf("%d keys, want 20000", n)
	}
	if v := cl.Get(context.Background(), topic+":k15000").Val(); v != "value 15000" {
		t.Fatalf("k15000 = %q", v)
	}
}
