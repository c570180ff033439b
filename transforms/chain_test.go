package transforms

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func userSchema() *connectors.Schema {
	return connectors.StructBuilder().Name("user").
		Field("id", connectors.Int64Schema).
		Field("name", connectors.StringSchema).
		Field("email", connectors.OptionalStringSchema).
		Field("age", connectors.NewSchemaBuilder(connectors.TypeInt32).Optional().DefaultValue(int32(18)).MustBuild()).
		MustBuild()
}

func userRecord() *connectors.Record {
	s := userSchema()
	v := connectors.NewStruct(s).MustPut("id", int64(7)).MustPut("name", "ann").MustPut("email", "a@x")
	return &connectors.Record{Topic: "users", Partition: 2, Offset: 40, Timestamp: 1700000000000, ValueSchema: s, Value: v}
}

func mustChain(t *testing.T, props map[string]string) *Chain {
	t.Helper()
	c, err := NewChain(props)
	if err != nil {
		t.Fatalf("NewChain: %v", err)
	}
	return c
}

func TestChainStructTransforms(t *testing.T) {
	c := mustChain(t, map[string]string{
		"transforms":                     "ins,mask,repl,key,drop",
		"transforms.ins.type":            "InsertField$Value",
		"transforms.ins.topic.field":     "topic",
		"transforms.ins.offset.field":    "off!",
		"transforms.ins.timestamp.field": "ts",
		"transforms.mask.type":           "org.apache.kafka.connect.transforms.MaskField$Value",
		"transforms.mask.fields":         "email",
		"transforms.repl.type":           "ReplaceField$Value",
		"transforms.repl.exclude":        "off",
		"transforms.repl.renames":        "name:full_name",
		"transforms.key.type":            "ValueToKey",
		"transforms.key.fields":          "id",
		"transforms.drop.type":           "Filter",
		"transforms.drop.predicate":      "isOther",
		"predicates":                     "isOther",
		"predicates.isOther.type":        "TopicNameMatches",
		"predicates.isOther.pattern":     "other.*",
	})
	out, stage, err := c.Apply(userRecord())
	if err != nil {
		t.Fatalf("Apply at %v: %v", stage, err)
	}
	var names []string
	for _, f := range out.ValueSchema.Fields {
		names = append(names, f.Name)
	}
	if want := []string{"id", "full_name", "email", "age", "topic", "ts"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("fields %v, want %v", names, want)
	}
	v := out.Value.(*connectors.Struct)
	checks := map[string]any{"full_name": "ann", "email": "", "age": int32(18), "topic": "users",
		"ts": time.UnixMilli(1700000000000).UTC()}
	for k, want := range checks {
		if got, _ := v.Get(k); !connectors.ValuesEqual(got, want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if out.ValueSchema.Name != "user" || out.KeySchema.Fields[0].Name != "id" {
		t.Errorf("schema basics or key schema lost: %+v %+v", out.ValueSchema, out.KeySchema)
	}
	if id, _ := out.Key.(*connectors.Struct).Get("id"); id != int64(7) {
		t.Errorf("key id = %v", id)
	}
	r := userRecord()
	r.Topic = "other-1"
	if out, _, err := c.Apply(r); out != nil || err != nil {
		t.Errorf("Filter with matching predicate: got %v, %v; want dropped", out, err)
	}
}

func TestChainSchemaless(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		value any
		want  any
		err   string
	}{
		{"extract", map[string]string{"type": "ExtractField$Value", "field": "a"}, map[string]any{"a": int64(1)}, int64(1), ""},
		{"extract v2", map[string]string{"type": "ExtractField$Value", "field": "a.`b.c`", "field.syntax.version": "v2"},
			map[string]any{"a": map[string]any{"b.c": "x"}}, "x", ""},
		{"extract null", map[string]string{"type": "ExtractField$Value", "field": "a"}, nil, nil, ""},
		{"extract non-map", map[string]string{"type": "ExtractField$Value", "field": "a"}, "s", nil,
			"Only Map objects supported in absence of schema for [field extraction], found: java.lang.String"},
		{"mask", map[string]string{"type": "MaskField$Value", "fields": "n,s,m", "replacement": "9"},
			map[string]any{"n": int32(3), "s": "x"}, map[string]any{"n": int32(9), "s": "9", "m": nil}, ""},
		{"mask tombstone", map[string]string{"type": "MaskField$Value", "fields": "n"}, nil, nil,
			"Only Map objects supported in absence of schema for [mask fields], found: null"},
		{"mask bytes", map[string]string{"type": "MaskField$Value", "fields": "b"}, map[string]any{"b": []byte("x")}, nil,
			"Cannot mask value of type: class [B"},
		{"replace whitelist", map[string]string{"type": "ReplaceField$Value", "whitelist": "a,b", "renames": "a:x"},
			map[string]any{"a": int64(1), "b": true, "c": "no"}, map[string]any{"x": int64(1), "b": true}, ""},
		{"replace include wins", map[string]string{"type": "ReplaceField$Value", "whitelist": "a", "include": "b"},
			map[string]any{"a": int64(1), "b": true}, map[string]any{"b": true}, ""},
		{"insert", map[string]string{"type": "InsertField$Value", "partition.field": "p", "static.field": "s", "static.value": "v"},
			map[string]any{}, map[string]any{"p": int32(2), "s": "v"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]string{"transforms": "t"}
			for k, v := range tt.props {
				props["transforms.t."+k] = v
			}
			c := mustChain(t, props)
			out, _, err := c.Apply(&connectors.Record{Topic: "t", Partition: 2, Offset: 1, Value: tt.value})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Value, tt.want) {
				t.Fatalf("got %#v, want %#v", out.Value, tt.want)
			}
		})
	}
}

func TestNewChainErrorsNameAliasAndKey(t *testing.T) {
	tests := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"transforms": "a", "transforms.a.type": "NoSuch"}, "transforms.a.type"},
		{map[string]string{"transforms": "a"}, "transforms.a.type"},
		{map[string]string{"transforms": "a", "transforms.a.type": "MaskField$Value"}, "transforms.a.fields"},
		{map[string]string{"transforms": "a", "transforms.a.type": "ReplaceField$Value", "transforms.a.renames": "x"}, "transforms.a.renames"},
		{map[string]string{"transforms": "a", "transforms.a.type": "InsertField$Value"}, "transforms.a.topic.field"},
		{map[string]string{"transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p"}, "transforms.a.predicate"},
		{map[string]string{"predicates": "p", "predicates.p.type": "TopicNameMatches", "predicates.p.pattern": "(x"}, "predicates.p.pattern"},
		{map[string]string{"predicates": "p", "predicates.p.type": "HasHeaderKey"}, "predicates.p.name"},
		{map[string]string{"transforms": "a", "transforms.a.type": "ExtractField$Key", "transforms.a.field": "`a",
			"transforms.a.field.syntax.version": "V2"}, "transforms.a.field"},
	}
	for _, tt := range tests {
		_, err := NewChain(tt.props)
		var ces connectors.ConfigErrors
		if !errors.As(err, &ces) || ces[0].Key != tt.key {
			t.Errorf("%v: err = %v, want a ConfigError on %s", tt.props, err, tt.key)
		}
		if !errors.Is(err, connectors.ErrConfig) || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%v: %v does not name %s", tt.props, err, tt.key)
		}
	}
}

func TestPredicatesAndNegate(t *testing.T) {
	c := mustChain(t, map[string]string{
		"transforms": "drop", "transforms.drop.type": "Filter",
		"transforms.drop.predicate": "hasH", "transforms.drop.negate": "true",
		"predicates": "hasH,tomb", "predicates.hasH.type": "HasHeaderKey", "predicates.hasH.name": "h",
		"predicates.tomb.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
	})
	keep := &connectors.Record{Headers: []connectors.Header{{Key: "h"}}}
	if out, _, _ := c.Apply(keep); out == nil {
		t.Error("record with header h dropped under negate")
	}
	if out, _, _ := c.Apply(&connectors.Record{}); out != nil {
		t.Error("record without header h kept under negate")
	}
}

type panicky struct{}

func (panicky) Apply(*connectors.Record) (*connectors.Record, error) { panic("boom") }

func TestChainPanicIsARecordFailure(t *testing.T) {
	c := &Chain{Stages: []Stage{{Alias: "p", Class: "x.Panicky", Transform: panicky{}}}}
	out, stage, err := c.Apply(&connectors.Record{})
	if out != nil || stage == nil || stage.Alias != "p" || !errors.Is(err, ErrPanic) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v, %v, %v", out, stage, err)
	}
}

func TestChainNeverChangesTheCallersRecord(t *testing.T) {
	c := mustChain(t, map[string]string{
		"transforms":            "route,hdr,ins,drop,key",
		"transforms.route.type": "RegexRouter", "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1-x",
		"transforms.hdr.type": "InsertHeader", "transforms.hdr.header": "h", "transforms.hdr.value.literal": "1",
		"transforms.ins.type": "InsertField$Value", "transforms.ins.topic.field": "t",
		"transforms.drop.type": "DropHeaders", "transforms.drop.headers": "old",
		"transforms.key.type": "ValueToKey", "transforms.key.fields": "id",
	})
	in := userRecord()
	in.Headers = make([]connectors.Header, 1, 4)
	in.Headers[0] = connectors.Header{Key: "old"}
	before := *in
	out, _, err := c.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	if in.Topic != before.Topic || in.Value != before.Value || in.Key != nil || len(in.Headers) != 1 || in.Headers[:2][1].Key != "" {
		t.Errorf("the caller's record changed: %+v", in)
	}
	if out.Topic != "users-x" || len(out.Headers) != 1 || out.Headers[0].Key != "h" || out.KeySchema == nil {
		t.Errorf("out = %+v", out)
	}
}

func TestChainLeavesTheCallersMapAlone(t *testing.T) {
	c := mustChain(t, map[string]string{
		"transforms":          "ins,repl,mask,cast",
		"transforms.ins.type": "InsertField$Value", "transforms.ins.topic.field": "t",
		"transforms.repl.type": "ReplaceField$Value", "transforms.repl.exclude": "drop",
		"transforms.mask.type": "MaskField$Value", "transforms.mask.fields": "secret",
		"transforms.cast.type": "Cast$Value", "transforms.cast.spec": "n:string",
	})
	in := &connectors.Record{Topic: "x", Value: map[string]any{"n": int64(1), "secret": "s", "drop": true}}
	out, _, err := c.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": "1", "secret": "", "t": "x"}
	if !reflect.DeepEqual(out.Value, want) {
		t.Errorf("out = %v, want %v", out.Value, want)
	}
	if orig := (map[string]any{"n": int64(1), "secret": "s", "drop": true}); !reflect.DeepEqual(in.Value, orig) {
		t.Errorf("the caller's map changed: %v", in.Value)
	}
}
