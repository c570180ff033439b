package convert

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/avro"
	"github.com/ferryhq/ferry/transforms/convert/bytearray"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/jsonschema"
	"github.com/ferryhq/ferry/transforms/convert/protobuf"
	"github.com/ferryhq/ferry/transforms/convert/simpleheader"
	"github.com/ferryhq/ferry/transforms/convert/stringconv"
)

func TestForConnector(t *testing.T) {
	cases := []struct {
		name              string
		connector, worker map[string]string
		check             func(t *testing.T, s Set)
	}{
		{"defaults", nil, nil, func(t *testing.T, s Set) {
			k, v := s.Key.(*json.Converter), s.Value.(*json.Converter)
			if !k.Config().SchemasEnable || k.Config().ConverterType != "key" || v.Config().ConverterType != "value" {
				t.Errorf("key %+v value %+v", k.Config(), v.Config())
			}
			_ = s.Header.(*simpleheader.Converter)
		}},
		{"worker class and props", nil, map[string]string{
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
			"key.converter": "StringConverter", "header.converter": "JsonConverter"}, func(t *testing.T, s Set) {
			if s.Value.(*json.Converter).Config().SchemasEnable {
				t.Error("worker value.converter.schemas.enable ignored")
			}
			_ = s.Key.(*stringconv.Converter)
			if s.Header.(*json.Converter).Config().ConverterType != "header" {
				t.Error("header converter type")
			}
		}},
		{"connector props overlay worker class", map[string]string{"value.converter.decimal.format": "NUMERIC"},
			map[string]string{"value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}, func(t *testing.T, s Set) {
				cfg := s.Value.(*json.Converter).Config()
				if cfg.SchemasEnable || cfg.DecimalFormat != "NUMERIC" {
					t.Errorf("config %+v", cfg)
				}
			}},
		{"connector class drops worker props", map[string]string{"value.converter": "JsonConverter"},
			map[string]string{"value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}, func(t *testing.T, s Set) {
				if !s.Value.(*json.Converter).Config().SchemasEnable {
					t.Error("worker props applied to the connector's own class")
				}
			}},
		{"connector overrides class", map[string]string{"key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter"},
			map[string]string{"key.converter": "StringConverter", "key.converter.converter.encoding": "UTF-16"}, func(t *testing.T, s Set) {
				_ = s.Key.(*bytearray.Converter)
			}},
		{"default class takes worker props", nil, map[string]string{"key.converter.schemas.enable": "false"}, func(t *testing.T, s Set) {
			if s.Key.(*json.Converter).Config().SchemasEnable {
				t.Error("worker props ignored for the default class")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ForConnector(tc.connector, tc.worker)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

func TestForConnectorErrors(t *testing.T) {
	cases := []struct {
		name      string
		connector map[string]string
		is        error
		contains  []string
	}{
		{"unknown class", map[string]string{"value.converter": "com.acme.ThriftConverter"}, ErrUnknownConverter,
			[]string{"value.converter", "com.acme.ThriftConverter", json.Class, stringconv.Class, avro.Class}},
		{"avro without registry url", map[string]string{"value.converter": "AvroConverter"}, connectors.ErrConfig,
			[]string{"value.converter.schema.registry.url"}},
		{"header only class as key", map[string]string{"key.converter": "SimpleHeaderConverter"}, ErrNotConverter,
			[]string{"key.converter", simpleheader.Class}},
		{"bad prop", map[string]string{"value.converter.schemas.enable": "maybe"}, connectors.ErrConfig,
			[]string{"value.converter.schemas.enable", "maybe"}},
		{"bad encoding", map[string]string{"key.converter": "StringConverter", "key.converter.converter.encoding": "EBCDIC"}, connectors.ErrConfig,
			[]string{"key.converter.converter.encoding", "EBCDIC"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ForConnector(tc.connector, nil)
			if !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestPlugins(t *testing.T) {
	got := map[string]bool{}
	for _, p := range Plugins() {
		got[string(p.Type)+" "+p.Class] = true
		if connectors.Declare(p.Config) == nil {
			t.Errorf("%s: no config", p.Class)
		}
		if (p.Type == connectors.TypeConverter) != (p.New != nil) || (p.Type == connectors.TypeHeaderConverter) != (p.NewHeader != nil) {
			t.Errorf("%s %s: constructors do not match the type", p.Class, p.Type)
		}
	}
	for _, want := range []string{
		"converter " + json.Class, "header_converter " + json.Class, "converter " + stringconv.Class,
		"header_converter " + stringconv.Class, "converter " + bytearray.Class, "header_converter " + bytearray.Class,
		"header_converter " + simpleheader.Class, "converter " + avro.Class, "converter " + jsonschema.Class, "converter " + protobuf.Class,
	} {
		if !got[want] {
			t.Errorf("Plugins() lacks %s", want)
		}
	}
	if len(got) != 10 {
		t.Errorf("Plugins() = %d entries, want 10", len(got))
	}
	for _, alias := range []string{"JsonConverter", "StringConverter", "ByteArrayConverter", "SimpleHeaderConverter", "AvroConverter", "JsonSchemaConverter", "ProtobufConverter"} {
		if _, err := Lookup(alias); err != nil {
			t.Errorf("Lookup(%s): %v", alias, err)
		}
	}
}
