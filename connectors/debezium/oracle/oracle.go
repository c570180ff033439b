// Package oracle runs Debezium's own connectors in the reference Kafka
// Connect (localstack/up kafka-connect puts them on its plugin.path) beside
// ferry's, and compares their records one by one: key, value, both schemas
// and the source block, less the fields that cannot agree between two runs
// (timing, the names of the server or connector instance). The CDC
// connectors' integration tests use it; it needs the real services.
package oracle

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

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Wait bounds each wait for records or for a connector to start.
const Wait = 60 * time.Second

// KafkaConnect is the reference Kafka Connect's REST API.
type KafkaConnect struct {
	T     testing.TB
	URL   string   // KAFKA_CONNECT_URL
	Seeds []string // the Kafka it writes to: the connector's topics are deleted at the end
}

func (kc KafkaConnect) call(method, path string, body any) (int, []byte) {
	kc.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, kc.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		kc.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// Start creates the connector cfg["name"] and waits until its task runs.
// When the test ends the connector is deleted, then cleanup runs (nil: none).
func (kc KafkaConnect) Start(cfg map[string]string, cleanup func()) {
	kc.T.Helper()
	name := cfg["name"]
	if code, out := kc.call(http.MethodPut, "/connectors/"+name+"/config", cfg); code >= 300 {
		kc.T.Fatalf("creating Debezium connector %s: %d %s", name, code, out)
	}
	kc.T.Cleanup(func() {
		kc.call(http.MethodDelete, "/connectors/"+name, nil)
		// Its task stops after the answer: wait (bounded) until it is gone,
		// so that nothing writes to its topics once they are deleted.
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if code, _ := kc.call(http.MethodGet, "/connectors/"+name+"/status", nil); code == http.StatusNotFound {
				break
			}
		}
		if cleanup != nil {
			cleanup()
		}
		DeleteTopics(kc.T, kc.Seeds, name)
	})
	for deadline := time.Now().Add(Wait); ; time.Sleep(200 * time.Millisecond) {
		_, out := kc.call(http.MethodGet, "/connectors/"+name+"/status", nil)
		var st struct {
			Tasks []struct{ State, Trace string }
		}
		_ = json.Unmarshal(out, &st)
		if len(st.Tasks) > 0 && st.Tasks[0].State == "RUNNING" {
			return
		}
		if len(st.Tasks) > 0 && st.Tasks[0].State == "FAILED" || time.Now().After(deadline) {
			kc.T.Fatalf("Debezium connector %s: %s", name, out)
		}
	}
}

// DeleteTopics deletes the topics a connector named prefix wrote: its
// change topics (<prefix>.…), its schema change topic (<prefix>) and its
// schema history (schemahistory.<prefix>), so that test runs do not pile
// topics up on the shared broker.
func DeleteTopics(t testing.TB, seeds []string, prefix string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Logf("deleting %s's topics: %v", prefix, err)
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		t.Logf("deleting %s's topics: %v", prefix, err)
		return
	}
	var mine []string
	for _, name := range topics.Names() {
		if name == prefix || strings.HasPrefix(name, prefix+".") || name == "schemahistory."+prefix {
			mine = append(mine, name)
		}
	}
	if len(mine) > 0 {
		if _, err := adm.DeleteTopics(ctx, mine...); err != nil {
			t.Logf("deleting %s's topics: %v", prefix, err)
		}
	}
}

// JSONConverters are the converter settings both sides write with.
var JSONConverters = map[string]string{
	"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
	"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
	"key.converter.schemas.enable":   "true",
	"value.converter.schemas.enable": "true",
}

// Collector consumes every topic of both sides into memory.
type Collector struct {
	t    testing.TB
	cl   *kgo.Client
	Recs map[string][]*kgo.Record // by topic, in offset order
}

// NewCollector consumes topics from the start; it closes when the test ends.
func NewCollector(t testing.TB, seeds []string, topics []string) *Collector {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond),
		kgo.MetadataMinAge(100*time.Millisecond), kgo.MetadataMaxAge(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &Collector{t: t, cl: cl, Recs: map[string][]*kgo.Record{}}
}

// Until consumes until done holds, failing after Wait with what.
func (c *Collector) Until(what string, done func() bool) {
	c.t.Helper()
	c.until(func() string { return what }, done)
}

func (c *Collector) until(what func() string, done func() bool) {
	c.t.Helper()
	if !c.within(Wait, done) {
		c.t.Fatalf("waited %s for %s", Wait, what())
	}
}

// within consumes until done holds or d has passed, and says which.
func (c *Collector) within(d time.Duration, done func() bool) bool {
	deadline := time.Now().Add(d)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := c.cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { c.Recs[r.Topic] = append(c.Recs[r.Topic], r) })
	}
	return true
}

// HasID reports whether topic holds a change event whose after.id is id.
func (c *Collector) HasID(topic string, id int) bool {
	for _, r := range c.Recs[topic] {
		var v struct {
			Payload struct{ After struct{ ID int } }
		}
		if json.Unmarshal(r.Value, &v) == nil && v.Payload.After.ID == id {
			return true
		}
	}
	return false
}

// InvokeUntilMarker runs ferry's connector (invoke: one invocation, an
// error when it failed) until side s's "mark" table holds the row with id:
// every change before that marker is then in Kafka.
func (c *Collector) InvokeUntilMarker(s Side, id int, invoke func() error) {
	c.t.Helper()
	c.InvokeUntil(fmt.Sprintf("%s: marker %d", s.Prefix, id), func() bool { return c.HasID(s.Topics["mark"], id) }, invoke)
}

// InvokeUntil runs ferry's connector until done holds.
func (c *Collector) InvokeUntil(what string, done func() bool, invoke func() error) {
	c.t.Helper()
	c.Until(what, func() bool {
		if done() {
			return true
		}
		if err := invoke(); err != nil {
			c.t.Fatal(err)
		}
		return done()
	})
}

// HasCounts reports whether side s holds at least counts[table] records per table.
func (c *Collector) HasCounts(s Side, counts map[string]int) bool {
	for tb, n := range counts {
		if len(c.Recs[s.Topics[tb]]) < n {
			return false
		}
	}
	return true
}

// Side is one connector run: Debezium's or ferry's, with its topic prefix
// and its topic per captured table.
type Side struct {
	Prefix string
	Topics map[string]string
}

// NewSide names the topics <prefix>.<namespace>.<table> of each table.
func NewSide(prefix, namespace string, tables []string) Side {
	s := Side{Prefix: prefix, Topics: map[string]string{}}
	for _, tb := range tables {
		s.Topics[tb] = prefix + "." + namespace + "." + tb
	}
	return s
}

// Counts is how many records side s holds per table.
func (c *Collector) Counts(s Side) map[string]int {
	out := map[string]int{}
	for tb, topic := range s.Topics {
		out[tb] = len(c.Recs[topic])
	}
	return out
}

// WantCounts waits until side s holds at least counts[table] records per table.
func (c *Collector) WantCounts(s Side, counts map[string]int) {
	c.t.Helper()
	c.until(func() string { return fmt.Sprintf("%s: records %v, has %v", s.Prefix, counts, c.Counts(s)) },
		func() bool { return c.HasCounts(s, counts) })
}

// SettleCounts waits up to d for side s to hold counts[table] records per
// table: for a side known to be complete (its last record consumed), so
// that a count that differs is reported by the comparison, not as a wait.
func (c *Collector) SettleCounts(s Side, counts map[string]int, d time.Duration) {
	c.within(d, func() bool { return c.HasCounts(s, counts) })
}

// Dump writes a topic's records to $ORACLE_DUMP/<topic> when that is set,
// for a person reading a difference.
func Dump(topic string, recs []*kgo.Record) {
	dir := os.Getenv("ORACLE_DUMP")
	if dir == "" {
		return
	}
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\n%s\n\n", r.Key, r.Value)
	}
	os.WriteFile(dir+"/"+topic, []byte(b.String()), 0o644)
}

// TopicList is every topic of side s.
func (s Side) TopicList() []string {
	out := make([]string, 0, len(s.Topics))
	for _, tp := range s.Topics {
		out = append(out, tp)
	}
	return out
}

// WithTxTopic adds the side's transaction topic (<prefix>.transaction,
// provide.transaction.metadata) as table "transaction".
func (s Side) WithTxTopic() Side {
	s.Topics["transaction"] = s.Prefix + ".transaction"
	return s
}

// TxPhase names the phase of a record of a transaction metadata run: the
// transaction topic's (no source block), the snapshot's, or a streamed change's.
func TxPhase(r *kgo.Record) string {
	switch ch, err := ParseChange(r); {
	case err != nil || ch.Payload.Source == nil:
		return "transaction topic"
	case ch.Payload.Op == "r":
		return "snapshot"
	}
	return "transactions"
}
