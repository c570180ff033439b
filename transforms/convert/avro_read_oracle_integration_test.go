//go:build integration

package convert

import (
	"context"
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/transforms/convert/avro"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

// avroReadCases are Avro schemas that no Connect schema produces (enums,
// general unions, logical types without connect.* properties, plain records
// with defaults and docs) with one datum each, in Avro's JSON encoding.
var avroReadCases = []string{
	`{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]}	{"e":"GREEN"}`,
	`{"type":"record","name":"U","fields":[{"name":"u","type":["null","int","string"]},{"name":"v","type":["long","boolean"]}]}	{"u":{"string":"x"},"v":{"boolean":true}}`,
	`{"type":"record","name":"U2","fields":[{"name":"u","type":["null","int","string"]}]}	{"u":null}`,
	`{"type":"record","name":"L","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"day","type":{"type":"int","logicalType":"date"}},{"name":"tod","type":{"type":"int","logicalType":"time-millis"}},{"name":"us","type":{"type":"long","logicalType":"timestamp-micros"}}]}	{"d":"\u0001\u0000","t":5,"day":-3,"tod":1000,"us":7}`,
	`{"type":"record","name":"D","namespace":"x","doc":"a record","fields":[{"name":"a","type":"int","doc":"field a","default":4},{"name":"s","type":["string","null"],"default":"dflt"},{"name":"o","type":["null","double"],"default":null}]}	{"a":1,"s":{"string":"q"},"o":{"double":1.5}}`,
	`{"type":"record","name":"N","fields":[{"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"x","type":"float"}]}},{"name":"again","type":"I"},{"name":"arr","type":{"type":"array","items":"I"}},{"name":"m","type":{"type":"map","values":["null","string"]}}]}	{"inner":{"x":1.25},"again":{"x":-2.0},"arr":[{"x":0.0}],"m":{"k":{"string":"v"},"n":null}}`,
	`"string"	"hello"`,
	`["null","long"]	{"long":42}`,
	`{"type":"array","items":{"type":"map","values":"bytes"}}	[{"a":"\u00ff"},{}]`,
	`{"type":"map","values":{"type":"int","connect.type":"int16"}}	{"z":300,"y":-1}`,
}

// TestAvroDataReadOracle reads Avro data with ferry's AvroConverter and with
// AvroData.toConnectData (Apicurio's fork of Confluent's), comparing the
// Connect data through JsonConverter envelopes (as JSON values: parameters
// are written in a different key order). The inputs are every record of the
// writer oracle (ferry's schema and body, equal to AvroData's) and the
// hand-written schemas above. Ferry adds the registry version to records, as
// Confluent's converter does; AvroData alone does not, so that one key is
// left out of the comparison.
func TestAvroDataReadOracle(t *testing.T) {
	cp := buildOracle(t, "avro-oracle", "AvroReadOracle")
	reg := srtest.StandIn(t)
	reader, _ := json.New(nil, false)
	var lines []string
	for i, env := range oracleRecords(t) {
		if strings.HasPrefix(env, `{"schema":null`) {
			continue
		}
		topic := fmt.Sprintf("w%d", i)
		out := ferryAvro(t, reg.URL(), reader, topic, env, func() string {
			ss, _ := reg.GetSchema(topic+"-value", 1)
			return ss.Schema.Schema
		})
		if strings.HasPrefix(out, "OK ") {
			lines = append(lines, "B64 "+out[3:])
		}
	}
	for _, c := range avroReadCases {
		lines = append(lines, "JSON "+c)
	}
	want := runOracle(t, cp, "AvroReadOracle", []byte(strings.Join(lines, "\n")+"\n"))
	if len(want) != len(lines) {
		t.Fatalf("oracle printed %d lines for %d inputs", len(want), len(lines))
	}
	envelope, _ := json.New(nil, false)
	var diffs, known int
	for i, line := range lines {
		schemaText, _, _ := strings.Cut(line[strings.IndexByte(line, ' ')+1:], "\t")
		got := ferryRead(t, reg, envelope, fmt.Sprintf("r%d", i), schemaText, want[i])
		if !sameEnvelope(got, want[i], &known) {
			diffs++
			if diffs <= 15 {
				t.Errorf("input %d %s\n  ferry  %s\n  avro   %s", i, line, got, want[i])
			}
		}
	}
	t.Logf("AvroData read oracle: %d inputs (%d hand-written), %d known differences, %d differences", len(lines), len(avroReadCases), known, diffs)
	fmt.Printf("AvroData read oracle: %d inputs, %d known differences, %d differences\n", len(lines), known, diffs)
}

// ferryRead registers the schema, reads the oracle's body with a fresh
// AvroConverter and writes the result as an envelope, in the oracle's form.
func ferryRead(t *testing.T, reg interface {
	RegisterSchema(string, sr.Schema) (int, int, error)
	URL() string
}, envelope *json.Converter, topic, schemaText, oracle string) string {
	if !strings.HasPrefix(oracle, "OK ") {
		return "(oracle failed)"
	}
	b64, _, _ := strings.Cut(oracle[3:], "\t")
	body, _ := base64.StdEncoding.DecodeString(b64)
	id, _, err := reg.RegisterSchema(topic+"-value", sr.Schema{Schema: schemaText})
	if err != nil {
		return "ERR register: " + err.Error()
	}
	c, err := avro.New(map[string]string{"schema.registry.url": reg.URL()}, false)
	if err != nil {
		t.Fatal(err)
	}
	s, v, err := c.ToConnect(context.Background(), topic, append(schemaregistry.AppendHeader(nil, id, nil), body...))
	if err != nil {
		return "ERR " + err.Error()
	}
	out, err := envelope.FromConnect(context.Background(), "topic", s, v)
	if err != nil {
		return "ERR " + err.Error()
	}
	return "OK " + b64 + "\t" + string(out)
}

// sameEnvelope compares envelopes as JSON values, ignoring a top-level schema
// version that only ferry has (the registry version) and the order of map
// entries (Java's HashMap order), and counting the known differences of this
// AvroData fork (see reconcile).
func sameEnvelope(ferry, oracle string, known *int) bool {
	if !strings.HasPrefix(ferry, "OK ") || !strings.HasPrefix(oracle, "OK ") {
		return ferry == oracle
	}
	_, fe, _ := strings.Cut(ferry, "\t")
	_, oe, _ := strings.Cut(oracle, "\t")
	var fj, oj map[string]any
	if stdjson.Unmarshal([]byte(fe), &fj) != nil || stdjson.Unmarshal([]byte(oe), &oj) != nil {
		return false
	}
	fs, _ := fj["schema"].(map[string]any)
	os, _ := oj["schema"].(map[string]any)
	if _, has := os["version"]; !has && fs != nil {
		delete(fs, "version")
	}
	sortMaps(fs, fj["payload"])
	sortMaps(os, oj["payload"])
	if reflect.DeepEqual(fj, oj) {
		return true
	}
	n := 0
	reconcile(fs, os, &n)
	if n > 0 && reflect.DeepEqual(fj, oj) {
		*known++
		return true
	}
	return false
}

// reconcile rewrites, in the oracle's schema, the two known differences of
// this older AvroData fork: it names nested unnamed records
// io.confluent.connect.avro.ConnectDefaultN (ferry leaves them unnamed, as
// written), and it reads a bytes connect.default as the bytes of its base64
// text (ferry decodes the base64, so the default round-trips).
func reconcile(f, o any, n *int) {
	switch ov := o.(type) {
	case map[string]any:
		fv, _ := f.(map[string]any)
		if name, ok := ov["name"].(string); ok && fv["name"] == nil && connectDefaultRE.MatchString(name) {
			delete(ov, "name")
			*n++
		}
		if od, ok := ov["default"].(string); ok {
			if fd, ok := fv["default"].(string); ok && od == base64.StdEncoding.EncodeToString([]byte(fd)) {
				ov["default"] = fd
				*n++
			}
		}
		for k, v := range ov {
			reconcile(fv[k], v, n)
		}
	case []any:
		fv, _ := f.([]any)
		for i := range ov {
			if i < len(fv) {
				reconcile(fv[i], ov[i], n)
			}
		}
	}
}

var connectDefaultRE = regexp.MustCompile(`^io\.confluent\.connect\.avro\.ConnectDefault[0-9]+$`)

// sortMaps orders the [key, value] pairs of every map with non-string keys.
func sortMaps(schema map[string]any, payload any) {
	if schema == nil || payload == nil {
		return
	}
	switch schema["type"] {
	case "map":
		ks, _ := schema["keys"].(map[string]any)
		vs, _ := schema["values"].(map[string]any)
		if pairs, ok := payload.([]any); ok {
			for _, p := range pairs {
				if kv, ok := p.([]any); ok && len(kv) == 2 {
					sortMaps(vs, kv[1])
				}
			}
			sort.Slice(pairs, func(i, j int) bool { return jsonText(pairs[i]) < jsonText(pairs[j]) })
		} else if obj, ok := payload.(map[string]any); ok {
			for _, v := range obj {
				sortMaps(vs, v)
			}
		}
		_ = ks
	case "array":
		items, _ := schema["items"].(map[string]any)
		arr, _ := payload.([]any)
		for _, e := range arr {
			sortMaps(items, e)
		}
	case "struct":
		fields, _ := schema["fields"].([]any)
		obj, _ := payload.(map[string]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			name, _ := fm["field"].(string)
			sortMaps(fm, obj[name])
		}
	}
}

func jsonText(v any) string {
	b, _ := stdjson.Marshal(v)
	return string(b)
}
