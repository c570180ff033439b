//go:build integration

package e2e

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// offsetsBody is GET /connectors/{c}/offsets.
type offsetsBody struct {
	Offsets []struct {
		Partition map[string]any `json:"partition"`
		Offset    map[string]any `json:"offset"`
	} `json:"offsets"`
}

// showsCommitted checks that a runtime's GET /connectors/{c}/offsets shows
// c: exactly when the runtime runs no task yet, else c or later (it may
// have moved on from c by the time it answers).
func (m *migration) showsCommitted(a api, who string, c committed, exact bool) {
	wantPos, _ := c.source[0].Offset["position"].(int64)
	var pos, off int64
	waitFor(m.t, 30*time.Second, who+" to show the committed offsets", func() bool {
		var src, sink offsetsBody
		for name, dst := range map[string]*offsetsBody{m.src: &src, m.sink: &sink} {
			code, body := a.do("GET", "/connectors/"+name+"/offsets", nil)
			if code != 200 || json.Unmarshal(body, dst) != nil || len(dst.Offsets) != 1 {
				return false // not read its configs yet
			}
		}
		if !reflect.DeepEqual(src.Offsets[0].Partition, map[string]any{"filename": m.in}) {
			m.t.Fatalf("%s shows source partition %v, want the file %s", who, src.Offsets[0].Partition, m.in)
		}
		pos, off = number(src.Offsets[0].Offset["position"]), number(sink.Offsets[0].Offset["kafka_offset"])
		return true
	})
	if exact && (pos != wantPos || off != c.sink[0]) || pos < wantPos || off < c.sink[0] {
		m.t.Fatalf("%s shows source position %d and sink offset %d; committed were %d and %d", who, pos, off, wantPos, c.sink[0])
	}
	m.t.Logf("%s shows source position %d and sink offset %d; committed were %d and %d", who, pos, off, wantPos, c.sink[0])
}

// number is a JSON number as int64 (-1 when it is not one).
func number(v any) int64 {
	if f, ok := v.(float64); ok {
		return int64(f)
	}
	return -1
}

// addLacking writes a connector of a class ferry lacks to the config topic,
// with the records Kafka Connect writes on create (connector-, task-,
// commit-): the private worker has only the FileStream plugins, so it could
// not create one itself.
func (m *migration) addLacking(name string) []*kgo.Record {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...))
	if err != nil {
		m.t.Fatal(err)
	}
	defer cl.Close()
	topic := propValue(m.t, m.props, "config.storage.topic")
	recs := []*kgo.Record{
		{Topic: topic, Key: []byte("connector-" + name), Value: []byte(`{"properties":{"connector.class":"` + lackingClass + `","tasks.max":"1","name":"` + name + `"}}`)},
		{Topic: topic, Key: []byte("task-" + name + "-0"), Value: []byte(`{"properties":{"connector.class":"` + lackingClass + `","tasks.max":"1","name":"` + name + `","task.class":"com.example.connect.CustomSourceTask"}}`)},
		{Topic: topic, Key: []byte("commit-" + name), Value: []byte(`{"tasks":1}`)},
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		m.t.Fatalf("writing connector %s to %s: %v", name, topic, err)
	}
	return recs
}

// configRecords reads the config topic: every record whose key ends with
// name (connector-, task-, commit-, target-state-), in order.
func (m *migration) configRecords(name string) []string {
	topic := propValue(m.t, m.props, "config.storage.topic")
	end := topicCount(m.t, kafkaAdmin(m.t, m.svc.kafka), topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(m.svc.kafka, ",")...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		m.t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for seen := int64(0); seen < end && ctx.Err() == nil; {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			seen = r.Offset + 1
			if k := string(r.Key); !r.Attrs.IsControl() && (strings.HasSuffix(k, "-"+name) || strings.HasPrefix(k, "task-"+name+"-")) {
				out = append(out, k+" => "+string(r.Value))
			}
		})
	}
	return out
}

// TestTakeOverFromKafkaConnect: Kafka Connect runs the pipeline and is
// stopped with SIGTERM mid-stream; ferry starts on its topics, lists its
// connectors, shows its committed offsets, continues from them, and shows a
// connector of a class it lacks as FAILED. The sink file ends with every
// line exactly once.
func TestTakeOverFromKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGTERM, false) }

// TestTakeOverFromKilledKafkaConnect is the same after kill -9: no line is
// missing; duplicates (Kafka Connect's at-least-once after a crash) are reported.
func TestTakeOverFromKilledKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGKILL, false) }

// TestTakeOverExactlyOnceFromKilledKafkaConnect: with exactly-once sources
// on both sides, Kafka Connect killed mid-transaction, ferry fences its
// transactional producer (the same transactional.id) and continues: the
// topic holds every line exactly once; the sink file's duplicates are only
// the FileStreamSink's own at-least-once.
func TestTakeOverExactlyOnceFromKilledKafkaConnect(t *testing.T) { takeOver(t, syscall.SIGKILL, true) }

func takeOver(t *testing.T, sig syscall.Signal, eos bool) {
	m := newMigrationEOS(t, eos)
	kc := startKafkaConnect(t, m.props)
	for name, cfg := range m.configs() {
		kc.api.create(name, cfg)
	}
	m.waitLines(20_000, 60*time.Second, "Kafka Connect")
	// Kafka Connect commits every offset.flush.interval.ms (1 s here): a
	// kill -9 before its first commits would only test a restart from zero.
	waitFor(t, 30*time.Second, "Kafka Connect to commit source and sink offsets", func() bool {
		var src, sink offsetsBody
		for name, dst := range map[string]*offsetsBody{m.src: &src, m.sink: &sink} {
			if code, body := kc.api.do("GET", "/connectors/"+name+"/offsets", nil); code != 200 || json.Unmarshal(body, dst) != nil || len(dst.Offsets) == 0 {
				return false
			}
		}
		return number(sink.Offsets[0].Offset["kafka_offset"]) >= 10_000
	})
	kcConfigs := map[string]string{}
	for name := range m.configs() {
		_, body := kc.api.do("GET", "/connectors/"+name+"/config", nil)
		kcConfigs[name] = string(body)
	}
	kc.stop(sig)
	m.lines.open()
	was := m.atStop(false)
	if eos {
		m.leaveTransactionOpen(was)
	}
	lacking := m.src + "-custom"
	var wrote []string
	for _, r := range m.addLacking(lacking) {
		wrote = append(wrote, string(r.Key)+" => "+string(r.Value))
	}

	f := m.ferry()
	a := f.api
	code, body := a.do("GET", "/connectors", nil)
	var names []string
	if code != 200 || json.Unmarshal(body, &names) != nil || len(names) != 3 {
		t.Fatalf("ferry: GET /connectors = %d %s; want %s, %s and %s", code, body, m.src, m.sink, lacking)
	}
	for name, want := range kcConfigs {
		var got, kcc map[string]string
		_, body := a.do("GET", "/connectors/"+name+"/config", nil)
		if json.Unmarshal(body, &got) != nil || json.Unmarshal([]byte(want), &kcc) != nil || !reflect.DeepEqual(got, kcc) {
			t.Fatalf("ferry: GET /connectors/%s/config = %s; Kafka Connect had %s", name, body, want)
		}
	}
	m.showsCommitted(a, "ferry", was.committed, true)
	m.worker(f)
	waitFor(t, 30*time.Second, "the connector of a class ferry lacks to show FAILED naming the class", func() bool {
		_, body := a.do("GET", "/connectors/"+lacking+"/status", nil)
		return strings.Contains(string(body), `"FAILED"`) && strings.Contains(string(body), lackingClass)
	})
	acct := m.waitAll(60*time.Second, "ferry")
	if got := m.configRecords(lacking); !reflect.DeepEqual(got, wrote) {
		t.Fatalf("the config topic's records of %s changed under ferry:\n%s\nwant only:\n%s", lacking, strings.Join(got, "\n"), strings.Join(wrote, "\n"))
	}
	name := map[syscall.Signal]string{syscall.SIGTERM: "take-over from Kafka Connect (SIGTERM)", syscall.SIGKILL: "take-over from Kafka Connect (kill -9)"}[sig]
	if eos {
		records, dups := m.topicDuplicates()
		name += ", exactly-once sources"
		reportRow(t, name, migrateLines, int64(acct.unique), int64(acct.missing), int64(acct.dups))
		t.Logf("%s: sink file %v; topic (read_committed) %d records, %d duplicates; sink lines uncommitted at the stop: %d", name, acct, records, dups, was.written-was.sink[0])
		if acct.missing != 0 || dups != 0 || records != migrateLines {
			t.Fatalf("%s: topic holds %d records, %d duplicates; sink file %v", name, records, dups, acct)
		}
		return
	}
	m.account(name, was, acct)
	if sig == syscall.SIGTERM && acct.dups != 0 {
		t.Fatalf("%s: %d duplicates after a graceful stop", name, acct.dups)
	}
}

// TestHandBackToKafkaConnect: ferry runs the pipeline on Kafka Connect's
// topics and is stopped (SIGTERM) mid-stream; a Kafka Connect worker started
// on the same properties runs ferry's connectors from ferry's offsets: every
// line exactly once.
func TestHandBackToKafkaConnect(t *testing.T) { handBack(t, syscall.SIGTERM) }

// TestHandBackAfterKilledFerry is the same after kill -9 of ferry's worker
// and scheduler: no line is missing, and the duplicates are exactly what
// ferry had done and not yet committed.
func TestHandBackAfterKilledFerry(t *testing.T) { handBack(t, syscall.SIGKILL) }

func handBack(t *testing.T, sig syscall.Signal) {
	m := newMigration(t)
	f := m.ferry()
	worker := m.worker(f)
	for name, cfg := range m.configs() {
		f.api.create(name, cfg)
	}
	m.waitLines(20_000, 60*time.Second, "ferry")
	for _, p := range []*proc{worker, f.sched} {
		if sig == syscall.SIGKILL {
			p.kill()
		} else {
			p.stop()
		}
	}
	m.lines.open()
	was := m.atStop(true)

	kc := startKafkaConnect(t, m.props)
	m.showsCommitted(kc.api, "Kafka Connect", was.committed, false)
	acct := m.waitAll(60*time.Second, "Kafka Connect")
	name := map[syscall.Signal]string{syscall.SIGTERM: "hand-back to Kafka Connect (ferry stopped with SIGTERM)",
		syscall.SIGKILL: "hand-back to Kafka Connect (ferry killed, kill -9)"}[sig]
	m.account(name, was, acct)
	if sig == syscall.SIGTERM && acct.dups != 0 {
		t.Fatalf("%s: %d duplicates after a graceful stop", name, acct.dups)
	}
}
