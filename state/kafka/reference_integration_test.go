//go:build integration

package kafka

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// referenceConfigTopic is the reference Kafka Connect's config topic
// (localstack/services/kafka-connect.sh).
const referenceConfigTopic = "ferry-reference-connect-configs"

// TestReferenceOperations drives the reference Kafka Connect through a
// connector's life over REST (create, pause, resume, stop, delete), reads
// the config records it wrote for that connector, and checks that they are
// the records written in testdata/reference-ops.golden (-update rewrites it
// from this run): the golden file TestOperationsLikeReference compares
// ferry's writes with.
func TestReferenceOperations(t *testing.T) {
	base := os.Getenv("KAFKA_CONNECT_URL")
	if base == "" {
		t.Fatal("KAFKA_CONNECT_URL must be set: run `eval \"$(localstack/up kafka kafka-connect)\"`")
	}
	name := fmt.Sprintf("kstore-golden-%d", time.Now().UnixNano()%1e9)
	rest := func(method, path, body string, want int) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	t.Cleanup(func() { // the shared reference keeps no leftover when the test fails
		req, _ := http.NewRequest("DELETE", base+"/connectors/"+name, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	recs := referenceRecords(t, name, func(wait func(key string, n int)) {
		rest("POST", "/connectors", `{"name":"`+name+`","config":{"connector.class":"FileStreamSource","file":"/tmp/kstore-golden.txt","topic":"kstore-golden"}}`, 201)
		wait("commit-"+name, 1)
		rest("PUT", "/connectors/"+name+"/pause", "", 202)
		wait("target-state-"+name, 1)
		rest("PUT", "/connectors/"+name+"/resume", "", 202)
		wait("target-state-"+name, 2)
		rest("PUT", "/connectors/"+name+"/stop", "", 204)
		wait("target-state-"+name, 3)
		rest("DELETE", "/connectors/"+name, "", 204)
		wait("target-state-"+name, 4)
	})
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\t%s\n", strings.ReplaceAll(string(r.Key), name, "NAME"), strings.ReplaceAll(string(r.Value), name, "NAME"))
	}
	path := filepath.Join("testdata", "reference-ops.golden")
	if *update {
		_ = os.WriteFile(path, []byte(b.String()), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(want, []byte(b.String())) {
		t.Fatalf("the reference wrote other records than %s (-update rewrites it): %v\n%s", path, err, b.String())
	}
}

// referenceRecords runs ops and returns the config records whose key names
// the connector, in order; wait(key, n) blocks until n records of key exist.
func referenceRecords(t *testing.T, name string, ops func(wait func(key string, n int))) []*kgo.Record {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adm, err := kgo.NewClient(kgo.SeedBrokers(seeds(t)...))
	if err != nil {
		t.Fatal(err)
	}
	ends, err := kadm.NewClient(adm).ListEndOffsets(ctx, referenceConfigTopic)
	adm.Close()
	if err != nil || ends.Error() != nil {
		t.Fatalf("end of %s: %v %v", referenceConfigTopic, err, ends.Error())
	}
	end, _ := ends.Lookup(referenceConfigTopic, 0)
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds(t)...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		referenceConfigTopic: {0: kgo.NewOffset().At(end.Offset)}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	count := func(key string) int {
		n := 0
		for _, r := range recs {
			if string(r.Key) == key {
				n++
			}
		}
		return n
	}
	ops(func(key string, n int) {
		for count(key) < n {
			f := cl.PollFetches(ctx)
			if ctx.Err() != nil {
				t.Fatalf("waiting for %d records of %s: %v", n, key, ctx.Err())
			}
			f.EachRecord(func(r *kgo.Record) {
				if strings.HasSuffix(string(r.Key), name) || strings.Contains(string(r.Key), name+"-") {
					recs = append(recs, r)
				}
			})
		}
	})
	return recs
}
