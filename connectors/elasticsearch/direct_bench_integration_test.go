//go:build integration

package elasticsearch_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions/sinktest"
	"github.com/twmb/franz-go/pkg/kgo"
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

// BenchmarkElasticsearchSinkVsDirect compares, in one run, the sink with
// the same client library (elastic-transport-go, configured as the sink
// configures it) sending the same documents directly, in two ways:
//
//   - sink: ferry's sink draining the topic (batch.size 2000, five lanes as
//     max.in.flight.requests): it reads the 30,000 records of about 1.5 KiB
//     (JsonConverter envelopes with schemas, string keys) from Kafka,
//     converts them, creates the index with a mapping from the schema,
//     sends bulk requests with the documents as JSON and reads each
//     response's item statuses, then commits the offsets in a transaction.
//   - direct (x-direct, cpu-x-direct): the client alone replaying the index
//     creation and the bulk bodies the sink sent (recorded by a proxy in an
//     unmeasured run first) into another index, five in flight; nothing read
//     from Kafka.
//   - direct from Kafka (x-direct-kafka, cpu-x-direct-kafka): a hand-written
//     pipeline, sinktest.FromKafka (franz-go with the sink's fetch settings,
//     one plain offset commit after the last response) reading the same
//     records in slices of 2,000, taking each envelope's payload with
//     encoding/json as the document and the key as its id, and sending each
//     slice as one bulk request, five in flight, after the recorded index
//     creation; a response is checked for "errors":true only.
//
// Each side's index is checked to hold every document. It reports the
// sink's wall time and CPU as multiples of each baseline's (the target is
// 1.5 or less) and records per CPU-second of this process for all three
// (the cluster and the broker are not counted).
func BenchmarkElasticsearchSinkVsDirect(b *testing.B) {
	const batch = 2000
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
		runtime.GC()
		sink, sinkCPU := sinktest.Measure(func() { r.Drain(fmt.Sprintf("bench-%d-%s", it, topic), sinkConfig(topic)) })
		replay, index := rc.renamed(topic, topic+"-direct")
		es := directClient(b, r.es)
		runtime.GC()
		direct, directCPU := sinktest.Measure(func() { send(b, es, replay) })
		create, kafkaIndex := rc.renamed(topic, topic+"-kafka")
		runtime.GC()
		lanes := startLanes(b, es)
		fromKafka, fromKafkaCPU := r.FromKafka(topic, benchRecords, batch, func(recs []*kgo.Record) {
			if create != nil {
				perform(b, es, create[0]) // the index creation, recorded first
				create = nil
			}
			lanes.send(recorded{http.MethodPost, "/_bulk", "application/x-ndjson", handBulk(b, kafkaIndex, recs)})
		}, lanes.wait)
		for _, i := range []string{topic, index, kafkaIndex} {
			if n := r.count(i); n != benchRecords {
				b.Fatalf("%s holds %d documents, want %d", i, n, benchRecords)
			}
		}
		sinktest.Report(b, fmt.Sprintf("Elasticsearch (%d requests)", len(replay)), benchRecords, sink, sinkCPU,
			sinktest.Baseline{Name: "direct", Wall: direct, CPU: directCPU}, sinktest.Baseline{Name: "direct-kafka", Wall: fromKafka, CPU: fromKafkaCPU})
	}
}

// handBulk is the bulk body a hand-written pipeline sends for recs: the key
// as id, the envelope's payload (taken with encoding/json) as the document.
func handBulk(b *testing.B, index string, recs []*kgo.Record) []byte {
	var body []byte
	for _, rec := range recs {
		var env struct{ Payload json.RawMessage }
		if err := json.Unmarshal(rec.Value, &env); err != nil {
			b.Fatal(err)
		}
		body = fmt.Appendf(body, `{"index":{"_index":%q,"_id":%q}}`+"\n", index, rec.Key)
		body = append(append(body, env.Payload...), '\n')
	}
	return body
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
	var l *lanes
	for _, q := range reqs {
		if q.path != "/_bulk" {
			perform(b, es, q)
			continue
		}
		if l == nil {
			l = startLanes(b, es)
		}
		l.send(q)
	}
	if l != nil {
		l.wait()
	}
}

// lanes performs requests over inFlight connections at once.
type lanes struct {
	work chan recorded
	wg   sync.WaitGroup
}

// inFlight is the sink's max.in.flight.requests default.
const inFlight = 5

func startLanes(b *testing.B, es *elastictransport.Client) *lanes {
	l := &lanes{work: make(chan recorded)}
	for range inFlight {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for q := range l.work {
				perform(b, es, q)
			}
		}()
	}
	return l
}

func (l *lanes) send(q recorded) { l.work <- q }

// wait returns once every request sent has its answer.
func (l *lanes) wait() {
	close(l.work)
	l.wg.Wait()
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
