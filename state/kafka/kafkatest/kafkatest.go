// Package kafkatest starts a private Kafka broker for tests that must stop
// and restart one: a single-node KRaft broker of the local stack's jars
// ($FERRY_STACK_DIR/kafka/libs, from `localstack/up kafka`) on free ports,
// never the shared broker.
package kafkatest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Broker is a single-node KRaft broker of the local stack's jars on
// free ports, so a test can stop and restart it without touching the
// shared one.
type Broker struct {
	t          testing.TB
	libs, conf string
	port       int
	cmd        *exec.Cmd
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start formats a data directory and starts a broker, stopped when the
// test ends.
func Start(t testing.TB) *Broker {
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
	b := &Broker{t: t, libs: libs, conf: filepath.Join(dir, "server.properties"), port: freePort(t)}
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
	b.Run()
	t.Cleanup(b.Stop)
	return b
}

// Seeds are the broker's bootstrap servers.
func (b *Broker) Seeds() []string { return []string{fmt.Sprintf("127.0.0.1:%d", b.port)} }

// Run starts the broker process (again, after Stop) and waits until it answers.
func (b *Broker) Run() {
	b.cmd = exec.Command("java", "-Xmx384m", "-cp", b.libs+"/*", "kafka.Kafka", b.conf)
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Seeds()...))
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

// Stop ends the broker with SIGTERM (a clean shutdown keeps its data).
func (b *Broker) Stop() {
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
