//go:build integration

package hdfssink_test

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// privateHDFS is a mini cluster of the test's own (the stack's must not be
// stopped) on a free port, restarted on the same storage.
type privateHDFS struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startPrivateHDFS(t *testing.T) *privateHDFS {
	if os.Getenv("HDFS_CLASSPATH") == "" {
		t.Fatal("HDFS_CLASSPATH must be set: run `eval \"$(localstack/up kafka hdfs)\"`")
	}
	p := &privateHDFS{t: t, port: sinktest.FreePort(t), dir: t.TempDir()}
	p.start(false)
	t.Cleanup(p.stop)
	return p
}

// start runs the mini cluster and waits until it says it is ready; keep
// starts it on the storage a previous start left.
func (p *privateHDFS) start(keep bool) {
	args := []string{"-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
		"-cp", os.Getenv("HDFS_CLASSPATH"), "FerryMiniHdfs", p.dir, strconv.Itoa(p.port)}
	if keep {
		args = append(args, "keep")
	}
	p.cmd = exec.Command("java", args...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("java must be installed: %v", err)
	}
	ready := make(chan bool, 1)
	go func() { // owned by the process: it ends when the process's stdout closes
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "FERRY-HDFS-READY") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			p.t.Fatal("the private mini cluster exited during start-up")
		}
	case <-time.After(60 * time.Second):
		p.t.Fatal("the private mini cluster was not ready within 60s")
	}
}

// stop kills the mini cluster (kill -9) and waits for it.
func (p *privateHDFS) stop() {
	if p.cmd != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

func (p *privateHDFS) url() string { return "hdfs://127.0.0.1:" + strconv.Itoa(p.port) }

// The private mini cluster (NameNode and DataNode) is killed for 30 s while
// records still arrive: the invocations are RETRYING naming the sink and
// the NameNode, resume after its restart on the same storage, and every
// record is in exactly one committed file.
func TestHDFSSinkServerDown30s(t *testing.T) {
	ph := startPrivateHDFS(t)
	r := newRig(t)
	r.url = ph.url()
	topic := r.Topic("hdfsdown", 1)
	dir := "/ferry-test/down-" + topic
	// flush.size 100 and batches of 100 from the feeder: every record fed ends
	// up in a committed file.
	cfg := r.config(topic, "json.JsonFormat", "topics.dir", dir, "flush.size", "100")
	f := &sinktest.Fault{R: r.Rig, Name: "down-" + topic, Cfg: cfg,
		Feed: func(from, n int) error {
			return r.TryProduce(topic, 1, from, n, func(i int) *kgo.Record { return sinktest.Order(i, 0, time.Millisecond) })
		},
		Seen: func() map[int]int {
			seen := map[int]int{}
			c, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{strings.TrimPrefix(ph.url(), "hdfs://")}, User: "ferry-test"})
			if err != nil {
				return seen
			}
			defer c.Close()
			pr := &rig{Rig: r.Rig, url: ph.url(), fs: c}
			for _, name := range pr.files(dir, false) {
				for _, row := range pr.rows(name) {
					seen[sinktest.CheckOrder(t, name, row, 0)]++
				}
			}
			return seen
		}}
	f.Outage(t, "HDFS mini cluster down 30 s mid-stream: Kafka->HDFS sink", 2000, 30*time.Second,
		ph.stop, func() { ph.start(true) }, "hdfs sink")
}
