//go:build integration

package elasticsearch_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// recorded is one request the sink sent to the cluster.
type recorded struct {
	method, path, contentType string
	body                      []byte
}

// recorder is a reverse proxy to the cluster that keeps every request.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (rc *recorder) proxy(b *testing.B, target string) *httptest.Server {
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, recorded{req.Method, req.URL.RequestURI(), req.Header.Get("Content-Type"), body})
		rc.mu.Unlock()
		out, _ := http.NewRequest(req.Method, u.String()+req.URL.RequestURI(), bytes.NewReader(body))
		out.Header = req.Header.Clone()
		res, err := http.DefaultClient.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkElasticsearchSinkVsDirect compares the sink (Kafka to the
// cluster, batch.size 2000, 1 KiB records) with the same client library
// (elastic-transport-go, configured as the sink configures it) sending the
// same requests directly in the same run: the index creation and the bulk
// bodies the sink sent, recorded by a proxy in an unmeasured run first and
// replayed into another index, five bulk requests in flight as the sink's
// lanes. It reports the sink's wall time and CPU as
// multiples of the direct requests' (the target is 1.5 or less) and records
// per CPU-second of this process for both (the cluster is not counted).
func BenchmarkElasticsearchSinkVsDirect(b *testing.B) {
	r := newRig(b)
	newURL = func() string { return r.es }
	for it := 0; it < b.N; it++ {
		topic := r.Topic("es-direct", 1)
		r.Produce(topic, 1, 0, benchRecords, benchOrder)
		r.Drain(fmt.Sprintf("warmup-%d-%s", it, topic), map[string]string{"connector.class": file.SinkClass, "topics": topic,
			"file": filepath.Join(b.TempDir(), "warmup.txt"), "key.converter": "org.apache.kafka.connect.storage.StringConverter"})
		var rc recorder
		proxy := rc.proxy(b, r.es)
		newURL = func() string { return proxy.URL }
		r.Drain(fmt.Sprintf("record-%d-%s", it, topic), sinkConfig(topic))
		newURL = func() string { return r.es }
		r.call("DELETE", "/"+topic, "", nil)
		sink, sinkCPU := sinktest.Measure(func() { r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), sinkConfig(topic)) })
		if n := r.count(topic); n != benchRecords {
			b.Fatalf("the sink wrote %d documents, want %d", n, benchRecords)
		}
		replay, index := rc.renamed(topic, topic+"-direct")
		es := directClient(b, r.es)
		direct, directCPU := sinktest.Measure(func() { send(b, es, replay) })
		if n := r.count(index); n != benchRecords {
			b.Fatalf("the direct requests wrote %d documents, want %d", n, benchRecords)
		}
		b.ReportMetric(sink.Seconds()/direct.Seconds(), "x-direct")
		b.ReportMetric(sinkCPU.Seconds()/directCPU.Seconds(), "cpu-x-direct")
		b.ReportMetric(benchRecords/sinkCPU.Seconds(), "sink-records/CPU-s")
		b.ReportMetric(benchRecords/directCPU.Seconds(), "direct-records/CPU-s")
		b.Logf("Elasticsearch, %d records, %d requests: direct client %v (%v CPU), ferry sink from Kafka %v (%v CPU)",
			benchRecords, len(replay), direct, directCPU, sink, sinkCPU)
	}
}

// renamed is the recorded requests that write (index creation, bulk), with
// index from renamed to to.
func (rc *recorder) renamed(from, to string) ([]recorded, string) {
	var out []recorded
	for _, q := range rc.reqs {
		if q.method != http.MethodPut && q.method != http.MethodPost {
			continue
		}
		q.path = string(bytes.ReplaceAll([]byte(q.path), []byte("/"+from), []byte("/"+to)))
		q.body = bytes.ReplaceAll(q.body, []byte(`"_index":"`+from+`"`), []byte(`"_index":"`+to+`"`))
		out = append(out, q)
	}
	return out, to
}

// directClient is elastic-transport-go as the sink configures it by default.
func directClient(b *testing.B, es string) *elastictransport.Client {
	u, err := url.Parse(es)
	if err != nil {
		b.Fatal(err)
	}
	c, err := elastictransport.New(elastictransport.Config{URLs: []*url.URL{u}, Transport: &http.Transport{MaxIdleConnsPerHost: 4}, DisableRetry: true})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// send sends the index creation first, then the bulk requests over
// inFlight connections at once, as the sink's max.in.flight.requests lanes
// (default 5) do; any answer but 2xx fails the benchmark.
func send(b *testing.B, es *elastictransport.Client, reqs []recorded) {
	const inFlight = 5
	work := make(chan recorded)
	var wg sync.WaitGroup
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range work {
				perform(b, es, q)
			}
		}()
	}
	for _, q := range reqs {
		if q.path != "/_bulk" {
			perform(b, es, q)
			continue
		}
		work <- q
	}
	close(work)
	wg.Wait()
}

func perform(b *testing.B, es *elastictransport.Client, q recorded) {
	req, _ := http.NewRequest(q.method, q.path, bytes.NewReader(q.body))
	if q.contentType != "" {
		req.Header.Set("Content-Type", q.contentType)
	}
	res, err := es.Perform(req)
	if err != nil {
		b.Error(err)
		return
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode/100 != 2 || bytes.Contains(raw, []byte(`"errors":true`)) {
		b.Errorf("%s %s: %s %.300s", q.method, q.path, res.Status, raw)
	}
}
