//go:build integration

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lineCounts counts the lines of a sink file and how many distinct ones.
func lineCounts(path string) (lines, unique int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
		seen[sc.Text()] = true
	}
	return lines, len(seen)
}

// Stopping ferry standalone mid-pipeline and starting it again resumes from
// the offsets in its file state: every line arrives, none is lost.
func TestStandaloneRestartResumes(t *testing.T) {
	svc := needServices(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	const n = 60_000
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "line-%06d\n", i)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	topic := uniqueName("standalone")
	src := filepath.Join(dir, "source.properties")
	os.WriteFile(src, []byte(fmt.Sprintf("name=%s-src\nconnector.class=FileStreamSource\nfile=%s\ntopic=%s\nbatch.size=500\n", topic, in, topic)), 0o644)
	sink := filepath.Join(dir, "sink.json")
	os.WriteFile(sink, []byte(fmt.Sprintf(`{"name":"%s-sink","config":{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","topics":"%s","file":"%s","value.converter":"org.apache.kafka.connect.storage.StringConverter"}}`, topic, topic, out)), 0o644)
	port := freePort(t)
	env := []string{"FERRY_DATA_DIR=" + filepath.Join(dir, "data"), "FERRY_BOOTSTRAP_SERVERS=" + svc.kafka,
		"FERRY_LISTENERS=http://127.0.0.1:" + strconv.Itoa(port), "FERRY_MAX_RECORDS=5000",
		"FERRY_VALUE_CONVERTER=org.apache.kafka.connect.storage.StringConverter"}
	a := api{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}

	first := start(t, env, "standalone", src, sink)
	a.waitReady()
	waitFor(t, 2*time.Minute, "some lines in the sink", func() bool { l, _ := lineCounts(out); return l > 5_000 })
	first.stop()
	stoppedAt, _ := lineCounts(out)
	if stoppedAt >= n {
		t.Fatalf("pipeline finished before the restart (%d lines): test proves nothing; raise n", stoppedAt)
	}
	start(t, env, "standalone", src, sink)
	a.waitReady()
	waitFor(t, 2*time.Minute, "every line after the restart", func() bool { _, u := lineCounts(out); return u >= n })
	time.Sleep(time.Second)
	lines, unique := lineCounts(out)
	t.Logf("standalone restart at %d lines: delivered %d unique of %d, lost %d, duplicated %d", stoppedAt, unique, n, n-unique, lines-unique)
	if unique != n {
		t.Fatalf("lost %d lines", n-unique)
	}
}
