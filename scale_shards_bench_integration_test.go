//go:build integration

package main

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shardCount is ferry.scheduler.shards in BenchmarkControlPlaneSharded.
const shardCount = 64

// BenchmarkControlPlaneSharded is BenchmarkControlPlane's scenario with
// three `ferry scheduler` processes sharing the connectors over Redis
// (ferry.scheduler.shards=64) and one worker: the same figures, CPU and RSS
// per scheduler, then one scheduler killed -9 and the time until the other
// two hold every shard (the lease time is 10 s). That nothing is dispatched
// twice while shards move is asserted by TestShardedSchedulersRedis
// (package scheduler), which sees every dispatch; here the figures.
func BenchmarkControlPlaneSharded(b *testing.B) {
	p := scaleParams()
	svc := scaleServices(b)
	bin := buildFerry(b)
	for range b.N {
		f := runSharded(b, bin, svc, p)
		fmt.Print(f.String())
		f.report(b)
		b.ReportMetric(f.takeover.Seconds(), "takeover-s")
	}
}

// shardedFigures adds the three schedulers' own figures to scaleFigures.
type shardedFigures struct {
	scaleFigures
	cpu, rssMiB []float64 // per scheduler
	held        []int     // shards each held before the kill
	takeover    time.Duration
}

func (f shardedFigures) String() string {
	var w strings.Builder
	w.WriteString(f.scaleFigures.String())
	fmt.Fprintf(&w, "  per scheduler: shards %v, CPU while idle %s, RSS %s MiB\n", f.held, percents(f.cpu), floats(f.rssMiB))
	fmt.Fprintf(&w, "  one scheduler killed -9: the other two held all %d shards after %s (lease ttl 10s)\n", shardCount, f.takeover.Round(time.Millisecond))
	return w.String()
}

func percents(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f%%", x*100)
	}
	return strings.Join(s, " / ")
}

func floats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, " / ")
}

// startSharded starts three schedulers and a worker on Redis database 10
// and returns them with each scheduler's REST base URL.
func startSharded(b *testing.B, bin string, svc scaleSvc) (scheds []*benchProc, worker *benchProc, bases []string) {
	opt := flushedRedisDB(b, svc.redis, 10)
	env := []string{"FERRY_BOOTSTRAP_SERVERS=" + svc.kafka, "FERRY_LOG_LEVEL=info", "FERRY_NATS_URL=" + svc.nats,
		fmt.Sprintf("FERRY_NATS_SUBJECT=ferry.bench.shards.%d", os.Getpid()),
		fmt.Sprintf("FERRY_STATE=redis://%s/10", opt.Addr), "FERRY_SCHEDULER_SHARDS=" + strconv.Itoa(shardCount)}
	for range 3 {
		base := fmt.Sprintf("http://127.0.0.1:%d", freeTCPPort(b))
		scheds = append(scheds, startFerry(b, bin, append(env, "FERRY_LISTENERS="+base), "scheduler"))
		bases = append(bases, base)
	}
	worker = startFerry(b, bin, env, "worker", "--concurrency", "64")
	for _, base := range bases {
		waitUp(b, base)
	}
	return scheds, worker, bases
}

// runSharded runs the scenario and measures it.
func runSharded(b *testing.B, bin string, svc scaleSvc, p scaleSettings) shardedFigures {
	scheds, worker, bases := startSharded(b, bin, svc)
	c := &scaleClient{b: b, base: bases[0], http: &http.Client{Timeout: 5 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: p.clients * 2}}}
	f := shardedFigures{scaleFigures: scaleFigures{store: "redis, 3 sharded schedulers", n: p.n}}
	names := c.createAll(p, "shard", &f.scaleFigures)
	time.Sleep(p.settle)
	f.cpu = make([]float64, len(scheds))
	for i, s := range scheds {
		var w float64
		f.cpu[i] = cpuShare(b, s.cmd.Process.Pid, worker, p.window/3, &w)
		f.idleCPU += f.cpu[i]
		f.workerCPU = max(f.workerCPU, w)
	}
	f.listP50, f.listP99, f.listSamples = c.latencies(20, func(int) string { return "/connectors?expand=status" })
	_, f.singleP99, f.singleSamples = c.latencies(500, func(i int) string { return "/connectors/" + names[(i*7919)%len(names)] + "/status" })
	for _, s := range scheds {
		cur, peak := rss(b, s.cmd.Process.Pid)
		f.rssMiB = append(f.rssMiB, cur)
		f.scaleFigures.rssMiB, f.hwmMiB = max(f.scaleFigures.rssMiB, cur), max(f.hwmMiB, peak)
		f.held = append(f.held, shardsHeld(s))
	}
	f.takeover = killOneScheduler(b, scheds)
	c.waitAllRunning(p.n, p.readyTimeout)
	start := time.Now()
	parallel(p.clients, len(names), func(i int) { c.delete(names[i]) })
	c.waitEmpty(p.readyTimeout)
	f.deleteAll = time.Since(start)
	f.load1 = loadAverage()
	return f
}

// killOneScheduler kills the last scheduler with SIGKILL and returns the
// time until the others' logs say they hold every shard.
func killOneScheduler(b *testing.B, scheds []*benchProc) time.Duration {
	killed := time.Now()
	if err := scheds[len(scheds)-1].cmd.Process.Kill(); err != nil {
		b.Fatalf("killing a scheduler: %v", err)
	}
	for deadline := killed.Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		total := 0
		for _, s := range scheds[:len(scheds)-1] {
			total += shardsHeld(s)
		}
		if total == shardCount {
			return time.Since(killed)
		}
	}
	b.Fatalf("the surviving schedulers did not hold all %d shards within 2 minutes", shardCount)
	return 0
}

var heldLine = regexp.MustCompile(`shards held" .*held=(\d+)`)

// shardsHeld is the number of shards s last logged it held.
func shardsHeld(s *benchProc) int {
	m := heldLine.FindAllStringSubmatch(s.log.String(), -1)
	if len(m) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}
