package datagen

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeOffsets is an in-memory OffsetReader keyed by task.id.
type fakeOffsets map[int]map[string]any

func (o fakeOffsets) Offset(p map[string]any) map[string]any { return o[p[TaskIDKey].(int)] }

func props(kv ...string) map[string]string {
	m := map[string]string{"name": "dg", "kafka.topic": "t", "quickstart": "orders", "max.interval": "0"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func open(t testing.TB, p map[string]string, offs connectors.OffsetReader) *Task {
	t.Helper()
	task := NewTask()
	if err := task.Open(context.Background(), p, offs); err != nil {
		t.Fatal(err)
	}
	return task
}

func poll(t testing.TB, task *Task) []*connectors.Record {
	t.Helper()
	recs, err := task.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func sameRecord(a, b *connectors.Record) bool {
	return a.Key == b.Key && a.Value.(*connectors.Struct).Equal(b.Value.(*connectors.Struct)) &&
		a.SourceOffsetMap()[CurrentIterationKey] == b.SourceOffsetMap()[CurrentIterationKey]
}

func TestDeterministicResume(t *testing.T) {
	for _, q := range quickstartNames() {
		for _, seeded := range []bool{true, false} {
			t.Run(q+"/seeded="+strconv.FormatBool(seeded), func(t *testing.T) {
				p := props("quickstart", q)
				if seeded {
					p["random.seed"] = "42"
				}
				first := open(t, p, nil)
				a := append(poll(t, first), poll(t, first)...)
				resumed := open(t, p, fakeOffsets{0: {TaskGenerationKey: int64(1), CurrentIterationKey: float64(1000)}})
				b := poll(t, resumed)
				for i := range b {
					if !sameRecord(a[1000+i], b[i]) {
						t.Fatalf("record %d differs: %v vs %v", 1000+i, a[1000+i].Value, b[i].Value)
					}
				}
				if g := b[0].Headers[0].Value; g != int64(1) {
					t.Errorf("task.generation header = %v, want 1", g)
				}
				if g := b[0].SourceOffsetMap()[TaskGenerationKey]; g != int64(2) {
					t.Errorf("task.generation offset = %v, want 2", g)
				}
			})
		}
	}
}

func TestSeedsAndTasksDiffer(t *testing.T) {
	base := poll(t, open(t, props("random.seed", "1"), nil))[5]
	tests := []struct {
		name  string
		props map[string]string
	}{
		{"other seed", props("random.seed", "2")},
		{"other task", props("random.seed", "1", TaskIDKey, "1", "tasks.max", "2")},
		{"unseeded", props()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := poll(t, open(t, tc.props, nil))[5]
			if sameRecord(base, r) {
				t.Fatalf("same record %v", r.Value)
			}
		})
	}
}

func TestOrderIDsUniqueAcrossTasks(t *testing.T) {
	cfgs, err := Connector{}.TaskConfigs(context.Background(), props("iterations", "10000"), 2)
	if err != nil || len(cfgs) != 2 {
		t.Fatalf("TaskConfigs = %d, %v", len(cfgs), err)
	}
	seen := map[int32]bool{}
	keys := map[any]bool{}
	for _, cfg := range cfgs {
		task := open(t, cfg, nil)
		for {
			recs := poll(t, task)
			if len(recs) == 0 {
				break
			}
			for _, r := range recs {
				id, _ := r.Value.(*connectors.Struct).Get("orderid")
				seen[id.(int32)] = true
				keys[r.Key] = true
			}
		}
	}
	if len(seen) != 20000 || len(keys) != 20000 {
		t.Fatalf("%d unique orderids, %d unique keys, want 20000", len(seen), len(keys))
	}
	for id := range int32(20000) {
		if !seen[id] {
			t.Fatalf("orderid %d missing", id)
		}
	}
}

func TestIterationsStop(t *testing.T) {
	tests := []struct {
		name    string
		offset  map[string]any
		batches []int
	}{
		{"fresh", nil, []int{1000, 1000, 500, 0, 0}},
		{"resumed", map[string]any{CurrentIterationKey: int64(2000)}, []int{500, 0}},
		{"done", map[string]any{CurrentIterationKey: int64(2500)}, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := open(t, props("iterations", "2500"), fakeOffsets{0: tc.offset})
			for i, want := range tc.batches {
				if got := len(poll(t, task)); got != want {
					t.Fatalf("batch %d = %d records, want %d", i, got, want)
				}
			}
		})
	}
}

func TestPacedByVirtualTime(t *testing.T) {
	clock := time.UnixMilli(1_700_000_000_000)
	task := NewTask()
	task.now = func() time.Time { return clock }
	if err := task.Open(context.Background(), props("max.interval", "100"), nil); err != nil {
		t.Fatal(err)
	}
	first := poll(t, task)
	if len(first) > 5 {
		t.Fatalf("first poll emitted %d records for 100ms of virtual time", len(first))
	}
	clock = clock.Add(10 * time.Second)
	var recs []*connectors.Record
	for b := poll(t, task); len(b) > 0; b = poll(t, task) {
		recs = append(recs, b...)
	}
	// 10 s at an average of 50 ms per record.
	if len(recs) < 150 || len(recs) > 250 {
		t.Fatalf("emitted %d records in 10s, want about 200", len(recs))
	}
	last := int64(0)
	for _, r := range recs {
		if r.Timestamp < last || r.Timestamp > clock.UnixMilli() {
			t.Fatalf("timestamp %d out of order or in the future", r.Timestamp)
		}
		last = r.Timestamp
	}
	if vt := recs[len(recs)-1].SourceOffsetMap()[VirtualTimeKey]; vt != last {
		t.Fatalf("offset virtual time %v, want %d", vt, last)
	}
}

func TestRecordShape(t *testing.T) {
	tests := []struct {
		quickstart, keyfield, wantKey string
	}{
		{"orders", "", "0"},
		{"pageviews", "", "1"},
		{"users", "", "User_"},
		{"users", "regionid", "Region_"},
	}
	for _, tc := range tests {
		t.Run(tc.quickstart+"/"+tc.keyfield, func(t *testing.T) {
			recs := poll(t, open(t, props("quickstart", tc.quickstart, "schema.keyfield", tc.keyfield, "kafka.topic", "out"), nil))
			r := recs[0]
			if !strings.HasPrefix(r.Key.(string), tc.wantKey) || r.KeySchema != connectors.StringSchema || r.Topic != "out" {
				t.Errorf("key %v schema %v topic %s", r.Key, r.KeySchema, r.Topic)
			}
			if r.SourcePartition[TaskIDKey] != 0 || r.SourceOffsetMap()[CurrentIterationKey] != int64(1) {
				t.Errorf("partition %v offset %v", r.SourcePartition, r.SourceOffsetMap())
			}
			if len(r.Headers) != 3 || r.Headers[2].Key != CurrentIterationKey || r.Headers[2].Value != int64(0) {
				t.Errorf("headers %v", r.Headers)
			}
			for _, r := range recs {
				if err := connectors.Validate(r.ValueSchema, r.Value); err != nil {
					t.Fatalf("invalid value %v: %v", r.Value, err)
				}
			}
		})
	}
}

func TestOrderFieldRanges(t *testing.T) {
	for _, r := range poll(t, open(t, props(), nil)) {
		st := r.Value.(*connectors.Struct)
		units := st.At(3).(float64)
		addr := st.At(4).(*connectors.Struct)
		zip := addr.At(2).(int64)
		ts := st.At(0).(int64)
		if units < 0.1 || units >= 10 || zip < minZip || zip > maxZip || ts < minTime || ts >= maxTime ||
			!strings.HasPrefix(st.At(2).(string), "Item_") || !strings.HasPrefix(addr.At(0).(string), "City_") {
			t.Fatalf("out of range: %v", st)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		key   string
	}{
		{"no topic", map[string]string{"quickstart": "users"}, "kafka.topic"},
		{"no quickstart", map[string]string{"kafka.topic": "t"}, "quickstart"},
		{"unknown quickstart", props("quickstart", "ratings"), "quickstart"},
		{"schema.string", props("quickstart", "", "schema.string", `{"type":"record"}`), "schema.string"},
		{"schema.filename", props("schema.filename", "/x.avsc"), "schema.filename"},
		{"bad keyfield", props("schema.keyfield", "nope"), "schema.keyfield"},
		{"bad iterations", props("iterations", "many"), "iterations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Connector{}.TaskConfigs(context.Background(), tc.props, 1)
			var ce *connectors.ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.key {
				t.Fatalf("err = %v, want ConfigError on %s", err, tc.key)
			}
			if err := NewTask().Open(context.Background(), tc.props, nil); !errors.Is(err, connectors.ErrConfig) {
				t.Fatalf("Open err = %v", err)
			}
		})
	}
}

func TestBadOffset(t *testing.T) {
	err := NewTask().Open(context.Background(), props(), fakeOffsets{0: {CurrentIterationKey: "ten"}})
	if !errors.Is(err, ErrOffset) {
		t.Fatalf("err = %v, want ErrOffset", err)
	}
}

// TestSchemaGolden pins each quickstart's Connect schema, written as
// JsonConverter's schema JSON, to testdata/<quickstart>.schema.golden.
func TestSchemaGolden(t *testing.T) {
	for _, name := range quickstartNames() {
		t.Run(name, func(t *testing.T) {
			q, _ := lookupQuickstart(name)
			checkGolden(t, filepath.Join("testdata", name+".schema.golden"), schemaJSON(q.schema)+"\n")
		})
	}
}

// schemaJSON is a minimal JsonConverter-style schema writer for the types the
// quickstarts use: enough to pin names, field order, types and optionality.
func schemaJSON(s *connectors.Schema) string {
	var b strings.Builder
	b.WriteString(`{"type":"` + strings.ToLower(s.Type.String()) + `"`)
	if s.Type == connectors.TypeStruct {
		b.WriteString(`,"fields":[`)
		for i, f := range s.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			inner := schemaJSON(f.Schema)
			b.WriteString(inner[:len(inner)-1] + `,"field":"` + f.Name + `"}`)
		}
		b.WriteByte(']')
	}
	b.WriteString(`,"optional":` + strconv.FormatBool(s.Optional))
	if s.Name != "" {
		b.WriteString(`,"name":"` + s.Name + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

func BenchmarkDatagenOrders(b *testing.B) {
	task := open(b, props("random.seed", "7"), nil)
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		total += len(poll(b, task))
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}
