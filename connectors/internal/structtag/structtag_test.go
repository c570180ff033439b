package structtag

import (
	"reflect"
	"testing"
)

// TestParseAgreesWithLookup: every key of well-formed and malformed tags
// reads as reflect.StructTag.Lookup reads it.
func TestParseAgreesWithLookup(t *testing.T) {
	tags := []reflect.StructTag{
		``,
		`config:"a.b"`,
		`config:"bootstrap.servers" importance:"high" doc:"Kafka \"bootstrap\" servers, comma-separated." default:""`,
		`  config:"x"   flag:"y"  unit:"ms"`,
		`config:"x" doc:"tab\there, unicode \u00e9, backslash \\"`,
		`config:"x" broken`,
		`config:"x" missing:`,
		`config:"x" unterminated:"abc`,
		`config:"x" bad:"\q"`,
		`config:x`,
		`:"empty key"`,
		`a:"1" a:"2"`,
		`bad:"\q" config:"after" bad:"2"`,
	}
	keys := []string{"config", "importance", "doc", "default", "flag", "unit", "broken", "missing", "unterminated", "bad", "a", "absent"}
	for _, tag := range tags {
		p := Parse(tag, nil)
		for _, k := range keys {
			want, wok := tag.Lookup(k)
			got, gok := p.Lookup(k)
			if got != want || gok != wok {
				t.Errorf("tag %q key %q: Parse gives %q, %v; Lookup %q, %v", tag, k, got, gok, want, wok)
			}
			if p.Get(k) != tag.Get(k) {
				t.Errorf("tag %q key %q: Get %q, want %q", tag, k, p.Get(k), tag.Get(k))
			}
		}
	}
}

// TestParseAllocatesNothing: with room in dst, parsing a declaration's tag
// allocates nothing (Declare reuses one buffer for every field).
func TestParseAllocatesNothing(t *testing.T) {
	tag := reflect.StructTag(`config:"bootstrap.servers" importance:"high" default:"x" doc:"Kafka bootstrap servers, comma-separated."`)
	var buf [8]Pair
	if n := testing.AllocsPerRun(100, func() { _ = Parse(tag, buf[:0]).Get("doc") }); n != 0 {
		t.Fatalf("Parse allocated %v times; want none", n)
	}
}

// BenchmarkTagKeys reads the eleven keys connectors.Declare reads from one
// long declaration tag, with a Lookup each and with one Parse.
func BenchmarkTagKeys(b *testing.B) {
	tag := reflect.StructTag(`config:"ferry.invocation.timeout.ms" unit:"ms" default:"10000" min:"100" doc:"Deadline of each invocation, in milliseconds (flags and environment also take 10s, 1m)."`)
	keys := []string{"config", "type", "doc", "group", "display", "importance", "default", "required", "enum", "min", "max"}
	b.Run("Lookup", func(b *testing.B) {
		for b.Loop() {
			for _, k := range keys {
				tag.Lookup(k)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		var buf [16]Pair
		for b.Loop() {
			p := Parse(tag, buf[:0])
			for _, k := range keys {
				p.Lookup(k)
			}
		}
	})
}
