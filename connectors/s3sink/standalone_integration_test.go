//go:build integration

package s3sink_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/ferryhq/ferry/functions/sinktest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// A `ferry standalone` process running the S3 sink is SIGKILLed while it
// uploads, then started again on the same state: every record ends up in
// exactly one object, with the object names a single clean run would give.
func TestS3StandaloneKilledMidUpload(t *testing.T) {
	r := newRig(t)
	bin := sinktest.BuildFerry(t)
	topic, bucket := r.Topic("s3sa", 1), r.bucket("s3sa")
	const n, flush = 40000, 4000
	r.Produce(topic, 1, 0, n, func(i int) *kgo.Record { return sinktest.Order(i, 1000, time.Millisecond) })
	cfg := sinkConfig(topic, bucket, "json.JsonFormat", "flush.size", strconv.Itoa(flush), "s3.part.size", "5242880")
	blob, _ := json.Marshal(map[string]any{"name": "sa-" + topic, "config": cfg})
	dir := t.TempDir()
	conn := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(conn, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "FERRY_DATA_DIR="+filepath.Join(dir, "data"),
		"FERRY_BOOTSTRAP_SERVERS="+r.env["KAFKA_BOOTSTRAP_SERVERS"], "FERRY_MAX_RECORDS=20000",
		fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", sinktest.FreePort(t)))
	run := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "standalone", conn)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	wait := func(what string, cmd *exec.Cmd, out *bytes.Buffer, done func() bool) {
		deadline := time.Now().Add(90 * time.Second)
		for !done() {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("%s: not within 90s; ferry output:\n%s", what, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	first, out := run()
	wait("two objects", first, out, func() bool { return len(r.objects(bucket, "topics/")) >= 2 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	killedAt := len(r.objects(bucket, "topics/"))
	if killedAt >= n/flush {
		t.Fatalf("every object was written before the kill (%d): the test proves nothing", killedAt)
	}
	second, out2 := run()
	defer func() { second.Process.Signal(syscall.SIGTERM); second.Wait() }()
	wait("every object after the restart", second, out2, func() bool { return len(r.objects(bucket, "topics/")) >= n/flush })
	time.Sleep(500 * time.Millisecond)
	keys := r.objects(bucket, "topics/")
	seen := make([]int, n)
	for i, k := range keys {
		if want := fmt.Sprintf("topics/%s/partition=0/%s+0+%010d.json", topic, topic, i*flush); k != want {
			t.Fatalf("object %d is %s, want %s", i, k, want)
		}
		for _, line := range bytes.Split(bytes.TrimSuffix(r.get(bucket, k), []byte("\n")), []byte("\n")) {
			var row map[string]any
			if err := json.Unmarshal(line, &row); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			seen[int(row["id"].(float64))]++
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("record %d appears %d times", id, c)
		}
	}
	t.Logf("killed ferry standalone with %d of %d objects written; after the restart %d objects, every record once", killedAt, n/flush, len(keys))
}
