package functions_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	connfile "github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestFileSinkPrintsSchemalessJSONAsConverted: FileStreamSink reading
// schemaless JSON with no transformation prints each value from its bytes
// (connectors.JavaText) and leaves keys and headers unread where reading
// cannot fail (StringConverter, SimpleHeaderConverter), and the file is byte
// for byte the file written when a transformation makes the runtime convert
// every part of every record first (a Filter whose predicate never matches);
// a malformed value fails at the value converter on both paths and is
// skipped under errors.tolerance=all, and a key converter that can fail
// (JsonConverter) still reads every key: a malformed key is skipped too.
func TestFileSinkPrintsSchemalessJSONAsConverted(t *testing.T) {
	values := []string{
		`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":6.5,"address":{"city":"City_","state":"State_","zipcode":50}}`,
		`{"b":[1,2.5e-4,null,{"y":true,"x":"\u00e9\n"}],"a":{},"a":"last"}`,
		`{"broken":`,
		`"just a string"`,
		`12345678901234567890123`,
		`[]`,
		``,
		`null`,
	}
	want := "{address={city=City_, state=State_, zipcode=50}, itemid=Item_184, orderid=18, ordertime=1497014222380, orderunits=6.5}\n" +
		"{a=last, b=[1, 2.5E-4, null, {x=é\n, y=true}]}\n" +
		"just a string\n4807115922877859019\n[]\nnull\nnull\n"
	r := newRig(t, connfile.Sink())
	const badKey = 4 // the record whose key is not JSON
	for i, v := range values {
		key := []byte(`"k"`)
		if i == badKey {
			key = []byte(`{not json`)
		}
		kr := &kgo.Record{Topic: "in", Key: key, Value: []byte(v), Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("1")}}}
		if err := r.kafka.ProduceSync(context.Background(), kr).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	run := func(name string, failed int64, extra map[string]string) string {
		t.Helper()
		path := filepath.Join(dir, name+".txt")
		cfg := map[string]string{"name": name, "connector.class": "FileStreamSink", "topics": "in", "file": path,
			"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
			"errors.tolerance": "all"}
		for k, v := range extra {
			cfg[k] = v
		}
		res, err := r.invoke("FileStreamSink", cfg)
		if err != nil || res.State != functions.StateRunning || res.Failed != failed || res.Written != int64(len(values))-failed {
			t.Fatalf("%s: state %s, written %d, failed %d, err %v", name, res.State, res.Written, res.Failed, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	printed := run("printed", 1, nil)
	converted := run("converted", 1, map[string]string{
		"transforms": "keep", "transforms.keep.type": "org.apache.kafka.connect.transforms.Filter", "transforms.keep.predicate": "never",
		"predicates": "never", "predicates.never.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"predicates.never.pattern": "nothing"})
	if printed != converted {
		t.Errorf("printed from the bytes:\n%s\nconverted first:\n%s", printed, converted)
	}
	if converted != want {
		t.Errorf("converted first:\n%s\nwant:\n%s", converted, want)
	}
	jsonKeys := run("json-keys", 2, map[string]string{"key.converter": "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable": "false"})
	if w := strings.Replace(want, "4807115922877859019\n", "", 1); jsonKeys != w {
		t.Errorf("with JSON keys:\n%s\nwant:\n%s", jsonKeys, w)
	}
}
