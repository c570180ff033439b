//go:build integration

package postgrescdc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaConnect is the reference Kafka Connect's REST API, where Debezium's
// connectors run (localstack/up kafka-connect).
type kafkaConnect struct {
	t   *testing.T
	url string
}

func (kc kafkaConnect) call(method, path string, body any) (int, []byte) {
	kc.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, kc.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		kc.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// start creates the connector and waits until its task runs; it is deleted
// (and its slot dropped) when the test ends.
func (kc kafkaConnect) start(conn *pgx.Conn, cfg map[string]string) {
	kc.t.Helper()
	name := cfg["name"]
	if code, out := kc.call(http.MethodPut, "/connectors/"+name+"/config", cfg); code >= 300 {
		kc.t.Fatalf("creating Debezium connector %s: %d %s", name, code, out)
	}
	kc.t.Cleanup(func() {
		kc.call(http.MethodDelete, "/connectors/"+name, nil)
		dropActiveSlot(conn, name)
	})
	for deadline := time.Now().Add(oracleWait); ; time.Sleep(200 * time.Millisecond) {
		_, out := kc.call(http.MethodGet, "/connectors/"+name+"/status", nil)
		var st struct {
			Tasks []struct{ State, Trace string }
		}
		_ = json.Unmarshal(out, &st)
		if len(st.Tasks) > 0 && st.Tasks[0].State == "RUNNING" {
			return
		}
		if len(st.Tasks) > 0 && st.Tasks[0].State == "FAILED" || time.Now().After(deadline) {
			kc.t.Fatalf("Debezium connector %s: %s", name, out)
		}
	}
}

// dropActiveSlot drops a slot and publication once their consumer is gone,
// ending the consumer's backend if it lingers.
func dropActiveSlot(conn *pgx.Conn, name string) {
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		conn.Exec(ctx, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active", name)
		if _, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1", name); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+name)
}

// collector consumes every topic of both sides into memory.
type collector struct {
	t    *testing.T
	cl   *kgo.Client
	recs map[string][]*kgo.Record
}

func newCollector(t *testing.T, topics []string) *collector {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.MetadataMinAge(100*time.Millisecond), kgo.MetadataMaxAge(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &collector{t: t, cl: cl, recs: map[string][]*kgo.Record{}}
}

// until consumes until done holds, failing after oracleWait with what.
func (c *collector) until(what string, done func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(oracleWait)
	for !done() {
		if time.Now().After(deadline) {
			c.t.Fatalf("waiting %s for %s", oracleWait, what)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := c.cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { c.recs[r.Topic] = append(c.recs[r.Topic], r) })
	}
}

// has reports whether topic holds a record whose after.id is id.
func (c *collector) has(topic string, id int) bool {
	for _, r := range c.recs[topic] {
		var v struct {
			Payload struct{ After struct{ ID int } }
		}
		if json.Unmarshal(r.Value, &v) == nil && v.Payload.After.ID == id {
			return true
		}
	}
	return false
}

// side is one connector run: Debezium's or ferry's, with its topic prefix.
type side struct {
	prefix string
	topics map[string]string // table -> topic
}

func newSide(prefix, schema string) side {
	s := side{prefix: prefix, topics: map[string]string{}}
	for _, tb := range append(oracleTableNames, "mark") {
		s.topics[tb] = prefix + "." + schema + "." + tb
	}
	return s
}

// wantCounts waits until side s holds at least counts[table] records per table.
func (c *collector) wantCounts(s side, counts map[string]int) {
	c.t.Helper()
	c.until(fmt.Sprintf("%s: records %v", s.prefix, counts), func() bool {
		for tb, n := range counts {
			if len(c.recs[s.topics[tb]]) < n {
				return false
			}
		}
		return true
	})
}

// counts is how many records side s holds per table.
func (c *collector) counts(s side) map[string]int {
	out := map[string]int{}
	for tb, topic := range s.topics {
		out[tb] = len(c.recs[topic])
	}
	return out
}

// debeziumConfig is Debezium's PostgresConnector config for name with the
// given modes, capturing every table of schema.
func debeziumConfig(t *testing.T, name, schema string, mode map[string]string) map[string]string {
	cfg := connectorConfig(t, name, schema+`\..*`)
	for k, v := range mode {
		cfg[k] = v
	}
	cfg["key.converter"] = "org.apache.kafka.connect.json.JsonConverter"
	cfg["value.converter"] = "org.apache.kafka.connect.json.JsonConverter"
	cfg["key.converter.schemas.enable"] = "true"
	cfg["value.converter.schemas.enable"] = "true"
	return cfg
}
