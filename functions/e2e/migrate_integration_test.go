//go:build integration

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// migratePlan runs `ferry migrate plan` with args.
func migratePlan(t *testing.T, args ...string) string {
	out, err := exec.Command(ferryBin, append([]string{"migrate", "plan"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ferry migrate plan %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestMigratePlanReadsKafkaConnect: `ferry migrate plan` shows a running
// Kafka Connect's connectors with the offsets it committed, from its topics
// and from its REST API alike, and writes nothing to its topics.
func TestMigratePlanReadsKafkaConnect(t *testing.T) {
	svc := needServices(t)
	dir := t.TempDir()
	group := uniqueName("migrate-plan")
	props := kafkaConnectProps(t, dir, svc.kafka, group, freePort(t))
	in, out, topic := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt"), group+"-lines"
	g := writeLines(t, in, 1000, 1000)
	<-g.done
	kc := startKafkaConnect(t, props)
	kc.api.create(group+"-src", map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": topic, "fle": "typo"})
	kc.api.create(group+"-sink", map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": topic})
	size := int64(len("line-0000000\n") * 1000)
	want := []string{
		group + "-src (source, FileStreamSource)",
		"ignored: fle: no declaration",
		"differs: file: Source filename. ferry requires it",
		`{"filename":"` + in + `"} -> {"position":` + fmt.Sprint(size) + "}",
		group + "-sink (sink, FileStreamSink)",
		`{"kafka_partition":0,"kafka_topic":"` + topic + `"} -> {"kafka_offset":1000}`,
	}
	shows := func(mode, out string, want ...string) bool {
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Logf("plan %s lacks %q (yet)", mode, w)
				return false
			}
		}
		return true
	}
	waitFor(t, 60*time.Second, "Kafka Connect to commit every line, and the plan --rest to show it", func() bool {
		return shows("--rest", migratePlan(t, "--rest", kc.api.base), append(want, "2 connector(s) are reported RUNNING by Kafka Connect")...)
	})
	if out := migratePlan(t, props); !shows("(topics, Kafka Connect running)", out, append(want, "2 connector(s) are reported RUNNING by Kafka Connect")...) {
		t.Fatalf("plan from the topics:\n%s", out)
	}
	// Stopped, Kafka Connect writes nothing more: the topics must not grow.
	kc.stop(syscall.SIGTERM)
	adm := kafkaAdmin(t, svc.kafka)
	internal := []string{group + "-configs", group + "-offsets", group + "-status"}
	var before []int64
	for _, tp := range internal {
		before = append(before, topicCount(t, adm, tp))
	}
	if out := migratePlan(t, props); !shows("(topics, Kafka Connect stopped)", out, want...) || strings.Contains(out, "reported RUNNING") {
		t.Fatalf("plan from the topics of a stopped Kafka Connect:\n%s", out)
	}
	for i, tp := range internal {
		if n := topicCount(t, adm, tp); n != before[i] {
			t.Errorf("topic %s grew from %d to %d records while the plan ran", tp, before[i], n)
		}
	}
}

// TestMigrateFromConnectStandalone: connect-standalone runs the pipeline and
// is stopped mid-stream; `ferry migrate standalone` imports its offsets
// file, and `ferry standalone` started with the same worker and connector
// files continues where it stopped: every line exactly once.
func TestMigrateFromConnectStandalone(t *testing.T) {
	const total, gate = 50_000, 20_000
	svc := needServices(t)
	home := kafkaConnectHome(t)
	dir := t.TempDir()
	name := uniqueName("migrate-sa")
	in, out, offsets := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt"), filepath.Join(dir, "connect.offsets")
	port := freePort(t)
	files := map[string]string{
		"worker.properties": fmt.Sprintf("bootstrap.servers=%s\nlisteners=http://127.0.0.1:%d\n"+
			"key.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\n"+
			"offset.storage.file.filename=%s\noffset.flush.interval.ms=1000\nplugin.discovery=service_load\nplugin.path=%s\n",
			svc.kafka, port, offsets, filepath.Join(home, "plugins", "connect-file")),
		"source.properties": fmt.Sprintf("name=%s-src\nconnector.class=FileStreamSource\nfile=%s\ntopic=%s\n", name, in, name),
		"sink.properties":   fmt.Sprintf("name=%s-sink\nconnector.class=FileStreamSink\nfile=%s\ntopics=%s\n", name, out, name),
	}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	worker, src, sink := filepath.Join(dir, "worker.properties"), filepath.Join(dir, "source.properties"), filepath.Join(dir, "sink.properties")
	if _, err := kafkaAdmin(t, svc.kafka).CreateTopic(context.Background(), 1, 1, nil, name); err != nil {
		t.Fatal(err)
	}
	lines := writeLines(t, in, total, gate)
	kc := startCmd(t, nil, "java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", filepath.Join(home, "libs", "*"),
		"org.apache.kafka.connect.cli.ConnectStandalone", worker, src, sink)
	waitFor(t, 60*time.Second, "connect-standalone to write 5,000 lines", func() bool { n, _ := lineCounts(out); return n >= 5000 })
	(&kafkaConnect{t: t, proc: kc}).stop(syscall.SIGTERM)
	lines.open()

	env := []string{"FERRY_DATA_DIR=" + filepath.Join(dir, "ferry"), fmt.Sprintf("FERRY_LISTENERS=http://127.0.0.1:%d", freePort(t))}
	imp := exec.Command(ferryBin, "migrate", "standalone", "--offsets", offsets, worker)
	imp.Env = append(os.Environ(), env...)
	if o, err := imp.CombinedOutput(); err != nil || !strings.Contains(string(o), "imported the offsets of 1 connector(s)") {
		t.Fatalf("ferry migrate standalone: %v\n%s", err, o)
	}
	start(t, env, "standalone", worker, src, sink)
	var acct lineAccount
	waitFor(t, 60*time.Second, "ferry standalone to deliver every line", func() bool {
		acct = accountLines(out, total)
		return acct.missing == 0
	})
	time.Sleep(2 * time.Second) // late duplicates, if any
	acct = accountLines(out, total)
	reportRow(t, "connect-standalone -> ferry standalone (offsets file imported)", total, int64(acct.unique), int64(acct.missing), int64(acct.dups))
	if acct.missing != 0 || acct.dups != 0 || acct.foreign != 0 {
		t.Fatalf("connect-standalone -> ferry: %v", acct)
	}
}
