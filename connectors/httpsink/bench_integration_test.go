//go:build integration

package httpsink_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/httpsink"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// TestHTTPSinkBenchmark compares the sink (Kafka to JSON array batches of
// 500) with net/http posting the same bodies directly, to the same server
// in the same run; it prints the ratio and records per CPU-second.
func TestHTTPSinkBenchmark(t *testing.T) {
	const n = 100000
	r := sinktest.New(t, "http-test", httpsink.Plugin())
	topic := r.Topic("http-bench", 1)
	a := newAPI(t, func(*http.Request) int { return 0 })
	r.Produce(topic, 1, 0, n, record)
	direct, directCPU := sinktest.Measure(func() {
		for lo := 0; lo < n; lo += 500 {
			var body bytes.Buffer
			body.WriteByte('[')
			for i := lo; i < lo+500; i++ {
				if i > lo {
					body.WriteByte(',')
				}
				fmt.Fprintf(&body, `{"i":%d}`, i)
			}
			body.WriteByte(']')
			res, err := http.Post(a.srv.URL, "application/json", &body)
			if err != nil || res.StatusCode != 200 {
				t.Fatal(err, res)
			}
			res.Body.Close()
		}
	})
	a.exactlyOnce(t, n)
	a.got = map[int]int{}
	sink, sinkCPU := sinktest.Measure(func() { r.Drain("bench-"+topic, config(topic, a.srv.URL, "batch.max.size", "500")) })
	a.exactlyOnce(t, n)
	t.Logf("HTTP, %d records: direct client %v (%.0f records/CPU-s), ferry sink from Kafka %v (%.0f records/CPU-s): time ×%.2f of direct",
		n, direct.Round(time.Millisecond), n/directCPU.Seconds(), sink.Round(time.Millisecond), n/sinkCPU.Seconds(), sink.Seconds()/direct.Seconds())
}
