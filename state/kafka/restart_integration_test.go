//go:build integration

package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kgo"
)

// privateBroker is a single-node KRaft broker of the local stack's jars on
// free ports, so a test can stop and restart it without touching the
// shared one.
type privateBroker struct {
	t          *testing.T
	libs, conf string
	port       int
	cmd        *exec.Cmd
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPrivateBroker formats a data directory and starts the broker.
func startPrivateBroker(t *testing.T) *privateBroker {
	stack := os.Getenv("FERRY_STACK_DIR")
	if stack == "" {
		home, _ := os.UserHomeDir()
		stack = filepath.Join(home, ".cache", "ferry-stack")
	}
	libs := filepath.Join(stack, "kafka", "libs")
	if _, err := os.Stat(libs); err != nil {
		t.Fatalf("the broker jars are missing (%v): run `localstack/up kafka`", err)
	}
	dir := t.TempDir()
	b := &privateBroker{t: t, libs: libs, conf: filepath.Join(dir, "server.properties"), port: freePort(t)}
	ctrl := freePort(t)
	props := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://127.0.0.1:%[1]d,CONTROLLER://127.0.0.1:%[2]d
advertised.listeners=PLAINTEXT://127.0.0.1:%[1]d
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=%[3]s
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`, b.port, ctrl, filepath.Join(dir, "data"))
	if err := os.WriteFile(b.conf, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}
	format := exec.Command("java", "-Xmx128m", "-cp", libs+"/*", "kafka.tools.StorageTool", "format",
		"-t", "kstore-restart-test-0000", "-c", b.conf)
	if out, err := format.CombinedOutput(); err != nil {
		t.Fatalf("formatting the private broker: %v\n%s", err, out)
	}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *privateBroker) seeds() []string { return []string{fmt.Sprintf("127.0.0.1:%d", b.port)} }

// start runs the broker and waits until it answers.
func (b *privateBroker) start() {
	b.cmd = exec.Command("java", "-Xmx384m", "-cp", b.libs+"/*", "kafka.Kafka", b.conf)
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.seeds()...))
	if err != nil {
		b.t.Fatal(err)
	}
	defer cl.Close()
	for end := time.Now().Add(90 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := cl.Ping(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(end) {
			b.t.Fatalf("the private broker did not answer in 90s: %v", err)
		}
	}
}

// stop ends the broker with SIGTERM (a clean shutdown keeps its data).
func (b *privateBroker) stop() {
	if b.cmd == nil || b.cmd.ProcessState != nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// TestBrokerRestart: a store keeps working across a restart of its only
// broker: while the broker is down every call fails retriable (never
// silently), and afterwards the same Store reads what was written before,
// takes the next epoch, commits, and leads again.
func TestBrokerRestart(t *testing.T) {
	b := startPrivateBroker(t)
	o := Options{Seeds: b.seeds(), GroupID: "restart", Topics: Topics{ConfigRF: 1, OffsetsRF: 1, StatusRF: 1}}
	s := open(t, o)
	defer s.Close()
	ctx := context.Background()
	rec := state.ConnectorRecord{Name: "c", Config: map[string]string{"connector.class": "FileStreamSource"},
		Target: state.TargetRunning, Tasks: []map[string]string{{"task.class": "T"}}, Generation: 1}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutConnector(ctx, rec))
	e1, err := s.NextEpoch(ctx, "c", 0)
	must(err)
	must(s.CommitOffsets(ctx, "c", 0, e1, offsetAt(1)))
	waitLead(t, s)

	b.stop()
	down, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err = s.Connector(down, "c")
	cancel()
	var r *connectors.RetriableError
	if !errors.As(err, &r) {
		t.Fatalf("reading with the broker down = %v, want a retriable error", err)
	}

	b.start()
	retry := func(what string, f func(context.Context) error) {
		t.Helper()
		var err error
		for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = f(c)
			cancel()
			if err == nil {
				return
			}
		}
		t.Fatalf("%s after the restart: %v", what, err)
	}
	retry("reading the connector", func(c context.Context) error {
		got, err := s.Connector(c, "c")
		if err == nil && (got.Generation != 1 || len(got.Tasks) != 1) {
			return fmt.Errorf("connector after the restart = %+v", got)
		}
		return err
	})
	var e2 int64
	retry("the next epoch", func(c context.Context) (err error) { e2, err = s.NextEpoch(c, "c", 0); return err })
	if e2 != e1+1 {
		t.Fatalf("epoch after the restart = %d, want %d", e2, e1+1)
	}
	if err := s.CommitOffsets(ctx, "c", 0, e1, offsetAt(9)); !errors.Is(err, state.ErrFenced) {
		t.Fatalf("commit with the epoch from before the restart = %v, want fenced", err)
	}
	retry("committing", func(c context.Context) error { return s.CommitOffsets(c, "c", 0, e2, offsetAt(2)) })
	got, err := s.ReadOffsets(ctx, "c")
	if err != nil || len(got) != 1 || got[0].Offset["position"] != int64(2) {
		t.Fatalf("offsets after the restart = %v, %v", got, err)
	}
	waitLead(t, s)
}

// waitLead waits until s holds the scheduler lease.
func waitLead(t *testing.T, s *Store) {
	t.Helper()
	for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if l, err := s.AcquireLease(context.Background(), "scheduler", "me", 6*time.Second); err == nil && l {
			return
		}
	}
	t.Fatal("the store never led")
}
