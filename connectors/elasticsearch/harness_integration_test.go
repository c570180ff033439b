//go:build integration

package elasticsearch_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/elasticsearch"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions/sinktest"
)

// rig is one test's Kafka, Elasticsearch and state store.
type rig struct {
	*sinktest.Rig
	es string
}

func newRig(t testing.TB) *rig {
	t.Helper()
	es := os.Getenv("ELASTICSEARCH_URL")
	if es == "" {
		t.Fatal("ELASTICSEARCH_URL must be set: run `eval \"$(localstack/up kafka elasticsearch)\"`")
	}
	return &rig{Rig: sinktest.New(t, "es-test", elasticsearch.Plugin(), file.Sink()), es: strings.TrimSuffix(es, "/")}
}

// call sends one request to the cluster and decodes the JSON answer into out.
func (r *rig) call(method, path, body string, out any) int {
	req, _ := http.NewRequest(method, r.es+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.T.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(out); err != nil {
			r.T.Fatalf("%s %s: %v: %s", method, path, err, raw)
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
