//go:build integration

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/state/open"
)

// Published AWS Lambda prices (us-east-1, as listed on AWS's Lambda pricing
// page; first pricing tier) used for the cost table.
const (
	priceGBsX86   = 0.0000166667 // USD per GB-second, x86_64
	priceGBsArm   = 0.0000133334 // USD per GB-second, arm64
	pricePerReq   = 0.20 / 1e6   // USD per request
	mbPerFullVCPU = 1769         // Lambda gives one full vCPU at 1,769 MB, proportionally less below
)

// BenchmarkLambda prints the Lambda figures through the runtime interface
// emulator: binary and zip size, cold start (first invoke of a fresh
// emulator) and warm invoke overhead p50/p99 against a baseline of the same
// Invoke API call to an in-process HTTP server, peak RSS of the function
// after a 10,000-record source and sink invocation, and the cost table.
func BenchmarkLambda(b *testing.B) {
	bed := needLambda(b)
	printSizes(b, bed.bootstrap)
	noop := functions.Invocation{ID: "bench-noop"} // answered FAILED at once: pure invoke overhead
	var cold []time.Duration
	for i := 0; i < 5; i++ {
		emu := startEmulator(b, 30)
		cl := benchBridge(b, emu.endpoint)
		begin := time.Now()
		if _, err := cl.Dispatch(context.Background(), noop); err != nil {
			b.Fatal(err)
		}
		cold = append(cold, time.Since(begin))
		emu.stop()
	}
	emu := startEmulator(b, 30)
	warm := invokeTimes(b, benchBridge(b, emu.endpoint), noop, 300)
	base := invokeTimes(b, benchBridge(b, cannedLambda(b)), noop, 300)
	b.Logf("cold start (first invoke, fresh emulator, 5 runs): p50 %s, max %s (%.1fx the warm p50)",
		pct(cold, 50), pct(cold, 100), ratio(pct(cold, 50), pct(warm, 50)))
	b.Logf("warm invoke through the emulator: p50 %s p99 %s; baseline (same Invoke call to an in-process HTTP server): p50 %s p99 %s; overhead %.1fx at p50",
		pct(warm, 50), pct(warm, 99), pct(base, 50), pct(base, 99), ratio(pct(warm, 50), pct(base, 50)))
	emu.stop()
	batchFigures(b)
}

// batchFigures runs one 10,000-record datagen source invocation and one
// 10,000-record file sink invocation in a fresh emulator, and prints the
// function's peak RSS, durations, CPU time and the cost table.
func batchFigures(b *testing.B) {
	const n = 10_000
	bed, svc := needLambda(b), needServices(b)
	emu := startEmulator(b, 60)
	cl := benchBridge(b, emu.endpoint)
	name := uniqueName("bench-rss")
	src := invocation(b, bed.state, name+"-src", "io.confluent.kafka.connect.datagen.DatagenConnector",
		map[string]string{"kafka.topic": name, "quickstart": "orders", "iterations": strconv.Itoa(n), "max.interval": "0"})
	sink := invocation(b, bed.state, name+"-sink", "org.apache.kafka.connect.file.FileStreamSinkConnector",
		map[string]string{"topics": name, "file": filepath.Join(b.TempDir(), "out.txt")})
	// Init first, so the batch figures are one warm invocation each.
	if _, err := cl.Dispatch(context.Background(), functions.Invocation{ID: "warm-up"}); err != nil {
		b.Fatal(err)
	}
	pid := bootstrapPID(b, emu.cmd.Process.Pid)
	cpu0 := cpuTime(b, pid)
	sres := mustRun(b, cl, src, n)
	cpu1 := cpuTime(b, pid)
	kres := mustRun(b, cl, sink, n)
	cpu2 := cpuTime(b, pid)
	b.Logf("one %d-record invocation: source %s (CPU %s), sink %s (CPU %s); function peak RSS (VmHWM) %s; Kafka at %s",
		n, sres.Duration.Round(time.Millisecond), cpu1-cpu0, kres.Duration.Round(time.Millisecond), cpu2-cpu1, vmHWM(b, pid), svc.kafka)
	costTable(b, n, sres.Duration+kres.Duration, cpu2-cpu0)
}

// costTable prints the Lambda cost per million records (one source and one
// sink invocation per n records), at 128 MB and 512 MB, x86 and arm64. The
// billed duration is the measured wall time, or the CPU time scaled to the
// CPU share Lambda gives at that memory size when that is longer.
func costTable(b *testing.B, n int, wall, cpu time.Duration) {
	perMillion := 1e6 / float64(n)
	b.Logf("cost per million records (2 invocations per %d records; prices: x86 $%.10f/GB-s, arm $%.10f/GB-s, $0.20 per 1M requests):", n, priceGBsX86, priceGBsArm)
	b.Logf("| memory | billed s per 1M records | x86 USD | arm64 USD |")
	for _, mb := range []int{128, 512} {
		share := float64(mb) / mbPerFullVCPU
		secs := max(wall.Seconds(), cpu.Seconds()/share) * perMillion
		gbs := secs * float64(mb) / 1024
		req := 2 * perMillion * pricePerReq
		b.Logf("| %d MB | %.1f | %.5f | %.5f |", mb, secs, gbs*priceGBsX86+req, gbs*priceGBsArm+req)
	}
}

func printSizes(b *testing.B, bootstrap string) {
	raw, zipped := zipSize(b, bootstrap)
	b.Logf("bootstrap (-tags lambda.norpc, -s -w): %.1f MB; zip %.1f MB (target < 20 MB)", mb(raw), mb(zipped))
}

// benchBridge returns a Lambda dispatcher signing with the key of the
// function's state store.
func benchBridge(b testing.TB, endpoint string) *transport.Lambda {
	cl, err := transport.NewLambdaClient(context.Background(), endpoint)
	if err != nil {
		b.Fatal(err)
	}
	st, err := open.Open(context.Background(), needLambda(b).state)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return transport.NewLambda(cl, transport.NewSigner(st, 0), transport.LambdaOptions{Function: "function", MaxInFlight: 1})
}

// cannedLambda is the baseline: an in-process HTTP server answering every
// Invoke with a fixed Result, so only the client side and HTTP are measured.
func cannedLambda(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"state":"FAILED","trace":"malformed invocation payload"}`))
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func invokeTimes(b *testing.B, cl *transport.Lambda, inv functions.Invocation, n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		begin := time.Now()
		if _, err := cl.Dispatch(context.Background(), inv); err != nil {
			b.Fatal(err)
		}
		out = append(out, time.Since(begin))
	}
	return out
}

// invocation builds a task invocation with a fresh epoch from the store.
func invocation(b testing.TB, spec, conn, class string, cfg map[string]string) functions.Invocation {
	st, err := open.Open(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	epoch, err := st.NextEpoch(context.Background(), conn, 0)
	if err != nil {
		b.Fatal(err)
	}
	cfg["name"], cfg["connector.class"], cfg["tasks.max"] = conn, class, "1"
	return functions.Invocation{ID: fmt.Sprintf("%s-0-%d", conn, epoch), Connector: conn, Epoch: epoch, Class: class,
		Config: cfg, Deadline: time.Now().Add(50 * time.Second), MaxRecords: 10_000, TaskCount: 1}
}

func mustRun(b testing.TB, cl *transport.Lambda, inv functions.Invocation, n int) functions.Result {
	inv.Deadline = time.Now().Add(50 * time.Second)
	res, err := cl.Dispatch(context.Background(), inv)
	if err != nil || res.State != functions.StateRunning || res.Written != int64(n) {
		b.Fatalf("%s: %+v %v; want %d records written", inv.ID, res, err, n)
	}
	return res
}

// bootstrapPID finds the function process the emulator started.
func bootstrapPID(b *testing.B, rie int) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		raw, err := os.ReadFile(d)
		if err != nil || !strings.Contains(string(raw), "(bootstrap)") {
			continue
		}
		f := strings.Fields(string(raw)[strings.LastIndexByte(string(raw), ')')+2:])
		if len(f) > 2 && (f[1] == strconv.Itoa(rie) || f[2] == strconv.Itoa(rie)) { // parent or group: the emulator
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
			return pid
		}
	}
	b.Fatalf("no bootstrap process started by the emulator (pid %d)", rie)
	return 0
}

// cpuTime is the process's user+system CPU time (clock ticks of 10 ms).
func cpuTime(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw)[strings.LastIndexByte(string(raw), ')')+2:])
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func vmHWM(b *testing.B, pid int) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return fmt.Sprintf("%.1f MB (target < 64 MB)", float64(kb)/1024)
		}
	}
	return "?"
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func mb(n int) float64 { return float64(n) / (1 << 20) }
