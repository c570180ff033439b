//go:build integration

package hdfssink_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A `ferry standalone` process running the HDFS sink is SIGKILLed while
// records still arrive (a producer keeps the topic growing until after the
// kill, so the stream is cut mid-way whatever the machine's speed), then
// started again on the same state: every committed file is whole (flush.size
// records, named by its offsets) and every record is in exactly one.
func TestHDFSStandaloneKilledMidWrite(t *testing.T) {
	r := newRig(t)
	bin := sinktest.BuildFerry(t)
	topic := r.Topic("hdfssa", 1)
	const flush, pad = 2000, 300
	dir := "/ferry-test/sa-" + topic
	cfg := r.config(topic, "json.JsonFormat", "topics.dir", dir, "flush.size", strconv.Itoa(flush))
	start := r.Standalone(bin, "sa-"+topic, cfg, 3000)
	mk := func(i int) *kgo.Record { return sinktest.Order(i, pad, time.Millisecond) }
	// The producer: 200 records every 50 ms until stopped.
	var produced int
	var mu sync.Mutex
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			mu.Lock()
			err := r.TryProduce(topic, 1, produced, 200, mk)
			if err == nil {
				produced += 200
			}
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	first := start()
	first.WaitFor(t, "two committed files", 60*time.Second, func() bool { return len(r.files(dir, false)) >= 2 })
	first.Kill(t)
	close(stop)
	<-stopped
	killedAt := len(r.files(dir, false))
	// One file more after the kill (so the stream goes on past it even if
	// ferry had caught up with the producer), and the topic rounded up to
	// whole files, so a clean run commits every record.
	more := flush + (flush-produced%flush)%flush
	r.Produce(topic, 1, produced, more, mk)
	produced += more
	if killedAt >= produced/flush {
		t.Fatalf("every file was committed before the kill (%d of %d): the test proves nothing", killedAt, produced/flush)
	}
	leftovers := len(r.files(dir+"/+tmp", true))
	second := start()
	defer second.Stop()
	second.WaitFor(t, "every file after the restart", 60*time.Second, func() bool { return len(r.files(dir, false)) >= produced/flush })
	time.Sleep(500 * time.Millisecond) // a duplicate file would show up now
	files, seen := r.count(t, dir, pad)
	for i, f := range files {
		want := fmt.Sprintf("%s/%s/partition=0/%s+0+%010d+%010d.json", dir, topic, topic, i*flush, (i+1)*flush-1)
		if f != want {
			t.Fatalf("file %d is %s, want %s", i, f, want)
		}
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	sinktest.ReportRow(t, "kill -9 ferry standalone mid-write: Kafka->HDFS", int64(produced), int64(len(seen)), int64(produced-len(seen)), int64(dups))
	if len(seen) != produced || dups != 0 || len(files) != produced/flush {
		t.Fatalf("%d of %d records in %d files, %d duplicates", len(seen), produced, len(files), dups)
	}
	t.Logf("killed ferry standalone with %d of %d files committed (%d temporary files left under +tmp); after the restart %d files, every record once",
		killedAt, produced/flush, leftovers, len(files))
}
