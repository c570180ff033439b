package transforms_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/apply"
)

// copier hands the next stages a record the chain owns, with new top-level
// maps and Structs, so that every later stage runs its in-place path.
type copier struct{}

func (copier) Apply(r *connectors.Record) (*connectors.Record, error) {
	c := r.Clone()
	c.Key, c.Value = shallowCopy(r.Key), shallowCopy(r.Value)
	return c, nil
}

func (copier) BuildsNew() {}

func shallowCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m
	case *connectors.Struct:
		st := connectors.NewStruct(x.Schema())
		for i := range x.Schema().Fields {
			st.Set(i, x.At(i))
		}
		return st
	}
	return v
}

// goldenPath holds Kafka Connect 4.1.1's (and Debezium 3.4's) results for a
// subset of the oracle test's records under every oracle config, recorded by
// `go test -tags integration -run TestOracle -update-golden`.
const goldenPath = "testdata/oracle/expected.jsonl.gz"

type goldenLine struct {
	Config      map[string]string `json:"config,omitempty"`
	ConfigError bool              `json:"config_error,omitempty"`
	Record      json.RawMessage   `json:"record,omitempty"`
	Want        json.RawMessage   `json:"want,omitempty"`
}

// TestOracleGolden replays the recorded Kafka Connect results without a JVM.
func TestOracleGolden(t *testing.T) {
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 16<<20)
	var runner, inPlace *apply.Runner
	var name string
	configs, compared := 0, 0
	for sc.Scan() {
		var l goldenLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Config != nil {
			configs++
			name = describe(l.Config)
			runner, err = apply.New(l.Config, false, false)
			if (err != nil) != l.ConfigError {
				t.Errorf("%s: config error %v, Kafka Connect failed: %v", name, err, l.ConfigError)
			}
			// The same chain behind a stage that copies the record, so that
			// every stage runs on a record the chain owns (in place).
			if inPlace, _ = apply.New(l.Config, false, false); inPlace != nil {
				c := inPlace.Chain()
				c.Stages = append([]transforms.Stage{{Alias: "copy", Class: "copy", Transform: copier{}}}, c.Stages...)
			}
			continue
		}
		if runner == nil {
			continue
		}
		compared++
		got, _ := runner.Line(t.Context(), l.Record)
		if same, g, w, _, _ := sameResult(got, l.Want); !same {
			t.Errorf("%s\n   input: %.300s\n%s", name, l.Record, diffKeys(g, w))
		}
		got, _ = inPlace.Line(t.Context(), l.Record)
		if same, g, w, _, _ := sameResult(got, l.Want); !same {
			t.Errorf("in place: %s\n   input: %.300s\n%s", name, l.Record, diffKeys(g, w))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if compared < 1000 {
		t.Fatalf("only %d recorded results", compared)
	}
	t.Logf("%d configs, %d recorded Kafka Connect results replayed", configs, compared)
}
