package json

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func mustNew(t testing.TB, props map[string]string) *Converter {
	t.Helper()
	c, err := New(props, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWriteErrors(t *testing.T) {
	st := connectors.StructBuilder().Field("a", connectors.Int32Schema).MustBuild()
	other := connectors.StructBuilder().Field("b", connectors.Int32Schema).MustBuild()
	cases := []struct {
		name   string
		schema *connectors.Schema
		value  any
		want   string
	}{
		{"required null", connectors.Int32Schema, nil, "Conversion error: null value for field that is required and has no default value"},
		{"wrong type", connectors.Int32Schema, "x", "Invalid type for INT32: class java.lang.String"},
		{"struct mismatch", st, connectors.NewStruct(other).MustPut("b", int32(1)), "Mismatching schema."},
		{"schemaless struct", nil, connectors.NewStruct(st).MustPut("a", int32(1)), "Mismatching schema."},
		{"schemaless decimal", nil, dec(1, 0), "Java class java.math.BigDecimal does not have corresponding schema type."},
		{"decimal scale", connectors.DecimalSchema(2).MustBuild(), dec(1, 3), "BigDecimal has mismatching scale value for given Decimal schema"},
		{"decimal type", connectors.DecimalSchema(2).MustBuild(), 1.5, "Invalid type for Decimal, expected BigDecimal but was class java.lang.Double"},
		{"date with time", connectors.DateSchema().MustBuild(), time.UnixMilli(5).UTC(), "Kafka Connect Date type should not have any time fields set to non-zero values."},
		{"nested required null", st, connectors.NewStruct(st), "Conversion error: null value for field that is required and has no default value"},
	}
	c := mustNew(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.FromConnect(context.Background(), "t", tc.schema, tc.value)
			if err == nil || !errors.Is(err, connectors.ErrData) || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want DataError %q", err, tc.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	const env = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`
	cases := []struct {
		name, data, want string
	}{
		{"plain json", `{"a":1}`, env},
		{"extra key", `{"schema":null,"payload":1,"x":2}`, env},
		{"array", `[1]`, env},
		{"empty", ``, env},
		{"bad json", `{"schema":`, "Converting byte[] to Kafka Connect data failed due to serialization error: "},
		{"no type", `{"schema":{"optional":true},"payload":1}`, "Schema must contain 'type' field"},
		{"unknown type", `{"schema":{"type":"int128"},"payload":1}`, "Unknown schema type: int128"},
		{"array no items", `{"schema":{"type":"array"},"payload":[]}`, "Array schema did not specify the element type"},
		{"map no keys", `{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}`, "Map schema did not specify the key type"},
		{"map no values", `{"schema":{"type":"map","keys":{"type":"int8"}},"payload":{}}`, "Map schema did not specify the value type"},
		{"struct no fields", `{"schema":{"type":"struct"},"payload":{}}`, `Struct schema's "fields" argument is not an array.`},
		{"field no name", `{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}`, "Struct schema's field name not specified properly"},
		{"param not string", `{"schema":{"type":"int8","parameters":{"a":1}},"payload":1}`, "Schema parameters must have string values."},
		{"required null", `{"schema":{"type":"int32"},"payload":null}`, "Invalid null value for required INT32 field"},
		{"missing field", `{"schema":{"type":"struct","fields":[{"type":"string","field":"s"}]},"payload":{}}`, "Invalid null value for required STRING field"},
		{"struct not object", `{"schema":{"type":"struct","fields":[]},"payload":[]}`, "Structs should be encoded as JSON objects, but found ARRAY"},
		{"map string keys", `{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}`, "Maps with string fields should be encoded as JSON objects, but found ARRAY"},
		{"map tuple", `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}`, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"},
		{"map entry", `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[1]}`, "Found invalid map entry instead of array tuple: NUMBER"},
		{"map entry size", `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1,2,3]]}`, "Found invalid map entry, expected length 2 but found :3"},
		{"date type", `{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}`, "Invalid type for Date, underlying representation should be integer but was STRING"},
		{"timestamp type", `{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1.5}`, "Invalid type for Timestamp, underlying representation should be integral but was NUMBER"},
		{"decimal type", `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}`, "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"},
		{"bad base64", `{"schema":{"type":"bytes"},"payload":"%%"}`, "Invalid bytes field"},
	}
	c := mustNew(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.ToConnect(context.Background(), "t", []byte(tc.data))
			if err == nil || !errors.Is(err, connectors.ErrData) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want DataError containing %q", err, tc.want)
			}
		})
	}
}

func TestReadValues(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		data  string
		want  any
	}{
		{"tombstone", nil, "", nil},
		{"schemaless int", noSchemas, `12`, int64(12)},
		{"schemaless float", noSchemas, `1.5e2`, 150.0},
		{"schemaless empty", noSchemas, ``, nil},
		{"trailing ignored", noSchemas, `1 x`, int64(1)},
		{"key order", nil, `{"payload":5,"schema":{"type":"int8"}}`, int8(5)},
		{"leading zeros", nil, `{"schema":{"type":"int32"},"payload":0012}`, int32(12)},
		{"decimal from number", nil, `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":-1.5E1}`, dec(-15, 0)},
		{"decimal base64", nil, `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"/2Q="}`, dec(-156, 2)},
		{"escapes", nil, `{"schema":{"type":"string"},"payload":"a\u00e9\ud83d\ude00\/\n"}`, "aé😀/\n"},
		{"int8 wraps", nil, `{"schema":{"type":"int8"},"payload":300}`, int8(44)},
		{"default read", nil, `{"schema":{"type":"int32","default":7},"payload":null}`, int32(7)},
		{"default kept null", map[string]string{"replace.null.with.default": "false"}, `{"schema":{"type":"int32","optional":true,"default":7},"payload":null}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, tc.props)
			data := []byte(tc.data)
			if tc.name == "tombstone" {
				data = nil
			}
			_, v, err := c.ToConnect(context.Background(), "t", data)
			if err != nil {
				t.Fatal(err)
			}
			if !connectors.ValuesEqual(v, tc.want) {
				t.Fatalf("got %#v, want %#v", v, tc.want)
			}
		})
	}
}

func TestTombstoneAndConfig(t *testing.T) {
	c := mustNew(t, nil)
	if b, err := c.FromConnect(context.Background(), "t", nil, nil); b != nil || err != nil {
		t.Fatalf("tombstone = %q, %v", b, err)
	}
	_, err := New(map[string]string{"decimal.format": "HEX"}, false)
	var ces connectors.ConfigErrors
	if !errors.As(err, &ces) || ces[0].Key != "decimal.format" || ces[0].Value != "HEX" {
		t.Fatalf("err = %v", err)
	}
	if c, _ := New(map[string]string{"decimal.format": "numeric"}, true); !c.numeric || c.Config().ConverterType != "key" {
		t.Fatalf("config = %+v", c.Config())
	}
}

func TestSchemaCache(t *testing.T) {
	c := mustNew(t, map[string]string{"schemas.cache.size": "1"})
	a := []byte(`{"schema":{"type":"int8"},"payload":1}`)
	b := []byte(`{"schema":{"type":"int16"},"payload":1}`)
	s1, _, _ := c.ToConnect(context.Background(), "t", a)
	s2, _, _ := c.ToConnect(context.Background(), "t", a)
	if s1 != s2 {
		t.Error("schema not cached")
	}
	c.ToConnect(context.Background(), "t", b)
	if s3, _, _ := c.ToConnect(context.Background(), "t", a); s3 == s1 {
		t.Error("LRU of size 1 kept an evicted schema")
	}
}

// TestDecimalDefaultFollowsDecimalFormat: the schema's default is written
// as a value under the converter's settings, as Kafka Connect's
// asJsonSchema does, so with decimal.format=NUMERIC a Decimal default is a
// JSON number (regression: it stayed base64 once the schema writer moved to
// connectors/connectjson; the JsonConverter oracle caught it).
func TestDecimalDefaultFollowsDecimalFormat(t *testing.T) {
	def, err := connectors.ParseDecimal("0.001")
	if err != nil {
		t.Fatal(err)
	}
	s := connectors.DecimalSchema(3).Optional().DefaultValue(def).MustBuild()
	for format, want := range map[string]string{"NUMERIC": `"default":0.001}`, "BASE64": `"default":"AQ=="}`} {
		c := mustNew(t, map[string]string{"decimal.format": format})
		b, err := c.FromConnect(context.Background(), "t", s, nil)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %s, %v; want %s in the schema", format, b, err, want)
		}
	}
}
