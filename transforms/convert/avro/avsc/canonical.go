package avsc

import (
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"strings"
)

// plain turns the json.Numbers of a decoded JSON tree into float64s.
func plain(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plain(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = plain(e)
		}
		return out
	}
	return v
}

// canonical writes s's Parsing Canonical Form (the Avro specification):
// primitives as their name, full names, only the attributes that matter for
// parsing in a fixed order, a named type after its first use by name.
func canonical(b *strings.Builder, s Schema, seen map[string]bool) {
	switch s := s.(type) {
	case *RefSchema:
		b.WriteString(strconv.Quote(s.actual.FullName()))
	case *PrimitiveSchema:
		b.WriteString(strconv.Quote(string(s.typ)))
	case *UnionSchema:
		b.WriteByte('[')
		for i, t := range s.types {
			if i > 0 {
				b.WriteByte(',')
			}
			canonical(b, t, seen)
		}
		b.WriteByte(']')
	case *ArraySchema:
		b.WriteString(`{"type":"array","items":`)
		canonical(b, s.items, seen)
		b.WriteByte('}')
	case *MapSchema:
		b.WriteString(`{"type":"map","values":`)
		canonical(b, s.values, seen)
		b.WriteByte('}')
	case *RecordSchema, *EnumSchema, *FixedSchema:
		named(b, s.(NamedSchema), seen)
	}
}

// named writes a record, enum or fixed schema, or its name when seen before.
func named(b *strings.Builder, s NamedSchema, seen map[string]bool) {
	full := strconv.Quote(s.FullName())
	if seen[s.FullName()] {
		b.WriteString(full)
		return
	}
	seen[s.FullName()] = true
	b.WriteString(`{"name":` + full + `,"type":"` + string(s.Type()) + `"`)
	switch s := s.(type) {
	case *RecordSchema:
		b.WriteString(`,"fields":[`)
		for i, f := range s.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"name":` + strconv.Quote(f.name) + `,"type":`)
			canonical(b, f.typ, seen)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	case *EnumSchema:
		b.WriteString(`,"symbols":` + compact(s.symbols))
	case *FixedSchema:
		b.WriteString(`,"size":` + strconv.Itoa(s.size))
	}
	b.WriteByte('}')
}

func canonicalForm(s Schema) string {
	var b strings.Builder
	canonical(&b, s, map[string]bool{})
	return b.String()
}

func fingerprint(s Schema) [32]byte { return sha256.Sum256([]byte(canonicalForm(s))) }

// String is the Parsing Canonical Form.
func (s *PrimitiveSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *RecordSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *EnumSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *ArraySchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *MapSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *FixedSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *UnionSchema) String() string { return canonicalForm(s) }

// String is the Parsing Canonical Form.
func (s *RefSchema) String() string { return canonicalForm(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *PrimitiveSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *RecordSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *EnumSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *ArraySchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *MapSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *FixedSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *UnionSchema) Fingerprint() [32]byte { return fingerprint(s) }

// Fingerprint is the SHA-256 of the Parsing Canonical Form.
func (s *RefSchema) Fingerprint() [32]byte { return fingerprint(s) }
