//go:build integration

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
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

// appender grows a file by batches of numbered lines until stopped, so a
// pipeline reading it is mid-stream whenever the test stops ferry, however
// fast the machine.
type appender struct {
	written atomic.Int64
	stop    chan struct{}
	done    chan struct{}
}

// appendLines starts an appender on path: 500 lines every 10 ms.
func appendLines(t *testing.T, path string) *appender {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	a := &appender{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		defer f.Close()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var b strings.Builder
			for i := 0; i < 500; i++ {
				fmt.Fprintf(&b, "line-%07d\n", a.written.Load()+int64(i))
			}
			if _, err := f.WriteString(b.String()); err != nil {
				t.Error(err)
				return
			}
			a.written.Add(500)
			select {
			case <-a.stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(a.halt)
	return a
}

// halt stops the appender; written then holds how many lines it wrote.
func (a *appender) halt() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

// Stopping ferry standalone mid-pipeline and starting it again resumes from
// the offsets in its file state: every line arrives, none is lost. The
// source file keeps growing while ferry is stopped, so the stop always falls
// mid-stream.
func TestStandaloneRestartResumes(t *testing.T) {
	svc := needServices(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	writer := appendLines(t, in)
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
	start(t, env, "standalone", src, sink)
	a.waitReady()
	waitFor(t, 2*time.Minute, "lines past the stop", func() bool { l, _ := lineCounts(out); return l > stoppedAt+5_000 })
	writer.halt()
	n := int(writer.written.Load())
	if stoppedAt >= n {
		t.Fatalf("the sink had %d lines at the stop and the source only %d: the stop was not mid-stream", stoppedAt, n)
	}
	waitFor(t, 2*time.Minute, "every line after the restart", func() bool { _, u := lineCounts(out); return u >= n })
	time.Sleep(time.Second)
	lines, unique := lineCounts(out)
	t.Logf("standalone restart at %d lines: delivered %d unique of %d, lost %d, duplicated %d", stoppedAt, unique, n, n-unique, lines-unique)
	if unique != n {
		t.Fatalf("lost %d lines", n-unique)
	}
}
