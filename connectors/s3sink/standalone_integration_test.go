//go:build integration

package s3sink_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/ferryhq/ferry/functions/sinktest"
	"strconv"
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
	start := r.Standalone(bin, "sa-"+topic, cfg, 20000)
	first := start()
	first.WaitFor(t, "two objects", 90*time.Second, func() bool { return len(r.objects(bucket, "topics/")) >= 2 })
	first.Kill(t)
	killedAt := len(r.objects(bucket, "topics/"))
	if killedAt >= n/flush {
		t.Fatalf("every object was written before the kill (%d): the test proves nothing", killedAt)
	}
	second := start()
	defer second.Stop()
	second.WaitFor(t, "every object after the restart", 90*time.Second, func() bool { return len(r.objects(bucket, "topics/")) >= n/flush })
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
