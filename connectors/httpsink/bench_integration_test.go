//go:build integration

package httpsink_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/ferryhq/ferry/connectors/httpsink"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// BenchmarkHTTPSinkVsDirect compares the sink (Kafka to JSON array batches
// of 500, StringConverter) with net/http's default client posting the same
// bodies directly, to the same local test server in the same run. The
// server runs in this process and decodes every body (to check that each
// record arrived once), so its CPU counts on both sides; see
// sinktest.VersusDirect for the figures.
func BenchmarkHTTPSinkVsDirect(b *testing.B) {
	const n, batch = 100000, 500
	r := sinktest.New(b, "http-bench", httpsink.Plugin())
	for it := 0; it < b.N; it++ {
		topic := r.Topic("http-bench", 1)
		a := newAPI(b, func(*http.Request) int { return 0 })
		r.Produce(topic, 1, 0, n, record)
		var direct map[int]int
		r.VersusDirect(b, "HTTP, batches of 500", topic, n, func() {
			for lo := 0; lo < n; lo += batch {
				var body bytes.Buffer
				body.WriteByte('[')
				for i := lo; i < lo+batch; i++ {
					if i > lo {
						body.WriteByte(',')
					}
					body.Write(record(i).Value)
				}
				body.WriteByte(']')
				res, err := http.Post(a.srv.URL, "application/json", &body)
				if err != nil || res.StatusCode != 200 {
					b.Fatal(err, res)
				}
				res.Body.Close()
			}
			a.mu.Lock()
			direct, a.got = a.got, map[int]int{}
			a.mu.Unlock()
		}, func() {
			r.Drain("bench-"+topic, config(topic, a.srv.URL, "batch.max.size", fmt.Sprint(batch)))
		})
		a.exactlyOnce(b, n)
		a.got = direct
		a.exactlyOnce(b, n)
	}
}
