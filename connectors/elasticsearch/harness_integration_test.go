//go:build integration

package elasticsearch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/elasticsearch"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rig is one test's Kafka, Elasticsearch and state store.
type rig struct {
	t     testing.TB
	es    string
	seeds []string
	kafka *kgo.Client
	store state.Store
	h     *functions.Handler
}

func newRig(t testing.TB) *rig {
	t.Helper()
	kafka, es := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("ELASTICSEARCH_URL")
	if kafka == "" || es == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS and ELASTICSEARCH_URL must be set: run `eval \"$(localstack/up kafka elasticsearch)\"`")
	}
	seeds := strings.Split(kafka, ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := connectors.NewRegistry(elasticsearch.Plugin(), file.Sink())
	h, err := functions.NewHandler(functions.Options{Plugins: reg, Store: store, Seeds: seeds, InstanceID: "es-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return &rig{t: t, es: strings.TrimSuffix(es, "/"), seeds: seeds, kafka: cl, store: store, h: h}
}

// topic creates a topic (lower case: it is also the index name).
func (r *rig) topic(name string, partitions int32) string {
	name = fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)
	if _, err := kadm.NewClient(r.kafka).CreateTopic(context.Background(), partitions, 1, nil, name); err != nil {
		r.t.Fatal(err)
	}
	return name
}

func (r *rig) produce(topic string, partitions int32, from, n int, mk func(i int) *kgo.Record) {
	const chunk = 5000
	for lo := from; lo < from+n; lo += chunk {
		var recs []*kgo.Record
		for i := lo; i < min(lo+chunk, from+n); i++ {
			rec := mk(i)
			rec.Topic, rec.Partition = topic, int32(i)%partitions
			recs = append(recs, rec)
		}
		if err := r.kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) invocation(name string, cfg map[string]string) functions.Invocation {
	epoch, err := r.store.NextEpoch(context.Background(), name, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	full := map[string]string{"name": name, "tasks.max": "1", "task.id": "0"}
	for k, v := range cfg {
		full[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: full["connector.class"], Config: full, Deadline: time.Now().Add(120 * time.Second), MaxRecords: 100000}
}

// drain invokes the sink until it has read everything.
func (r *rig) drain(name string, cfg map[string]string) {
	for i := 0; i < 50; i++ {
		res, err := r.h.Handle(context.Background(), r.invocation(name, cfg))
		if err != nil {
			r.t.Fatalf("invocation %d of %s: %v", i, name, err)
		}
		if !res.More {
			return
		}
	}
	r.t.Fatalf("%s still had more after 50 invocations", name)
}

// call sends one request to the cluster and decodes the JSON answer into out.
func (r *rig) call(method, path, body string, out any) int {
	req, _ := http.NewRequest(method, r.es+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(out); err != nil {
			r.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return res.StatusCode
}

// count refreshes index and counts its documents.
func (r *rig) count(index string) int {
	r.call("POST", "/"+index+"/_refresh", "", nil)
	var c struct{ Count int }
	r.call("GET", "/"+index+"/_count", "", &c)
	return c.Count
}

// docs fetches documents by id: found ones by id.
func (r *rig) docs(index string, ids []string) map[string]map[string]any {
	body, _ := json.Marshal(map[string]any{"ids": ids})
	var res struct {
		Docs []struct {
			ID     string         `json:"_id"`
			Found  bool           `json:"found"`
			Source map[string]any `json:"_source"`
		}
	}
	r.call("POST", "/"+index+"/_mget", string(body), &res)
	out := map[string]map[string]any{}
	for _, d := range res.Docs {
		if d.Found {
			out[d.ID] = d.Source
		}
	}
	return out
}
