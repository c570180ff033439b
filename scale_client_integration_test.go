//go:build integration

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scaleClient drives the REST API for BenchmarkControlPlane.
type scaleClient struct {
	b    *testing.B
	base string
	http *http.Client
}

func (c *scaleClient) do(method, path string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			c.b.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.b.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.b.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, out
}

func (c *scaleClient) create(name string, config map[string]string) {
	if code, out := c.do(http.MethodPost, "/connectors", map[string]any{"name": name, "config": config}); code != http.StatusCreated {
		c.b.Fatalf("creating %s: %d %s", name, code, out)
	}
}

func (c *scaleClient) delete(name string) {
	if code, out := c.do(http.MethodDelete, "/connectors/"+name, nil); code != http.StatusNoContent {
		c.b.Fatalf("deleting %s: %d %s", name, code, out)
	}
}

// restartTask restarts task 0 of name, which writes its status (RESTARTING).
func (c *scaleClient) restartTask(name string) {
	if code, out := c.do(http.MethodPost, "/connectors/"+name+"/tasks/0/restart", nil); code != http.StatusNoContent {
		c.b.Fatalf("restarting %s-0: %d %s", name, code, out)
	}
}

// waitAllRunning polls expand=status until n connectors show every task RUNNING.
func (c *scaleClient) waitAllRunning(n int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	running := 0
	for time.Now().Before(deadline) {
		code, out := c.do(http.MethodGet, "/connectors?expand=status", nil)
		var all map[string]struct {
			Status struct {
				Tasks []struct{ State string } `json:"tasks"`
			} `json:"status"`
		}
		if code == http.StatusOK && json.Unmarshal(out, &all) == nil {
			running = 0
			for _, e := range all {
				if len(e.Status.Tasks) > 0 && e.Status.Tasks[0].State == "RUNNING" {
					running++
				}
			}
			if running >= n {
				return
			}
		}
		time.Sleep(time.Second)
	}
	c.b.Fatalf("after %s only %d of %d connectors run", timeout, running, n)
}

func (c *scaleClient) waitEmpty(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if code, out := c.do(http.MethodGet, "/connectors", nil); code == http.StatusOK && strings.TrimSpace(string(out)) == "[]" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.b.Fatalf("connectors still listed %s after deleting them", timeout)
}

// latencies sends n GETs one after the other and returns p50, p99 and n
// (p99 is the nearest rank: with 20 requests or fewer, the slowest).
func (c *scaleClient) latencies(n int, path func(i int) string) (p50, p99 time.Duration, count int) {
	d := make([]time.Duration, n)
	for i := range d {
		p := path(i) // outside the timing: it may change something first
		start := time.Now()
		if code, out := c.do(http.MethodGet, p, nil); code != http.StatusOK {
			c.b.Fatalf("GET %s: %d %s", p, code, out)
		}
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2], d[min(n-1, n*99/100)], n
}

// cpuSeconds is a process's user+system CPU time from /proc.
func cpuSeconds(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("reading CPU time of %d: %v", pid, err)
	}
	// Fields after the command name (which may hold spaces) start after ')'.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// cpuShare is the scheduler's CPU seconds per wall second over window (and
// the worker's, when there is one, in *workerShare).
func cpuShare(b *testing.B, pid int, worker *benchProc, window time.Duration, workerShare *float64) float64 {
	wpid := 0
	if worker != nil {
		wpid = worker.cmd.Process.Pid
	}
	s0, w0, t0 := cpuSeconds(b, pid), 0.0, time.Now()
	if wpid != 0 {
		w0 = cpuSeconds(b, wpid)
	}
	time.Sleep(window)
	wall := time.Since(t0).Seconds()
	if wpid != 0 {
		*workerShare = (cpuSeconds(b, wpid) - w0) / wall
	}
	return (cpuSeconds(b, pid) - s0) / wall
}

// rss returns VmRSS and VmHWM of a process in MiB.
func rss(b *testing.B, pid int) (cur, peak float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatalf("reading RSS of %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return cur, peak
}

func loadAverage() string {
	var info syscall.Sysinfo_t
	if syscall.Sysinfo(&info) != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f", float64(info.Loads[0])/65536)
}
