package operand

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/ferryhq/ferry/connectors"
)

// CopyBasics is SchemaUtil.copySchemaBasics: a builder of type t carrying
// the name, version, doc and parameters of s (not optional, not default).
func CopyBasics(s *connectors.Schema, b *connectors.SchemaBuilder) *connectors.SchemaBuilder {
	b.Name(s.Name).Doc(s.Doc)
	if s.Version != nil {
		b.Version(*s.Version)
	}
	for k, v := range s.Parameters {
		b.Parameter(k, v)
	}
	return b
}

// FieldValue reads field i of st as Kafka's transforms do under
// replace.null.with.default: with it, a null field yields the field default.
func FieldValue(st *connectors.Struct, i int, replaceNullWithDefault bool) any {
	v := st.At(i)
	if v == nil && replaceNullWithDefault {
		return st.Schema().Fields[i].Schema.Default
	}
	return v
}

// Put stores v in field i of st as Struct.put does for a value that already
// matches the field schema: a null into a required field is a DataException.
func Put(st *connectors.Struct, i int, v any) error {
	if err := Required(&st.Schema().Fields[i], v); err != nil {
		return err
	}
	st.Set(i, v)
	return nil
}

// Required is Struct.put's check of a value that already matches field f's
// schema: a null into a required field is a DataException.
func Required(f *connectors.Field, v any) error {
	if v == nil && !f.Schema.Optional {
		return Data("Invalid value: null used for required field: \"%s\", schema type: %s", f.Name, f.Schema.Type)
	}
	return nil
}

// PutChecked stores v in the named field after validating it, as Struct.put
// does for a value of unknown shape.
func PutChecked(st *connectors.Struct, name string, v any) error {
	f := st.Schema().Field(name)
	if f == nil {
		return Data("%s is not a valid field name", name)
	}
	if v == nil {
		return Put(st, f.Index, nil)
	}
	if err := connectors.Validate(f.Schema, v); err != nil {
		return Data("%s", trimData(err))
	}
	st.Set(f.Index, v)
	return nil
}

func trimData(err error) string {
	const p = "data error: "
	s := err.Error()
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// Message returns err's text without ferry's "data error: " prefix, as Java's getMessage.
func Message(err error) string { return trimData(err) }

// Cache maps an input schema to what a transformation built for it (its
// output schema, field mappings), as Kafka's LRU 16 schema caches. Keys are
// schema pointers: converters and sources reuse schema pointers, so the chain
// builds each schema once. Lookups take no lock: the map is replaced, never
// changed, when an entry is added.
type Cache[V any] struct {
	mu sync.Mutex // serialises additions
	m  atomic.Pointer[map[*connectors.Schema]V]
}

const cacheSize = 16

// GetOrBuild returns the cached entry for in, building and caching it with
// build; past 16 entries the cache starts over.
func (c *Cache[V]) GetOrBuild(in *connectors.Schema, build func(*connectors.Schema) (V, error)) (V, error) {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[in]; ok {
			return v, nil
		}
	}
	v, err := build(in)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[*connectors.Schema]V, cacheSize)
	if old := c.m.Load(); old != nil && len(*old) < cacheSize {
		maps.Copy(next, *old)
	}
	next[in] = v
	c.m.Store(&next)
	return v, nil
}

// Build finishes b, reporting a builder failure as Kafka's SchemaBuilderException.
func Build(b *connectors.SchemaBuilder) (*connectors.Schema, error) {
	s, err := b.Build()
	if err != nil {
		msg := err.Error()
		const p = "schema build error: "
		if len(msg) > len(p) && msg[:len(p)] == p {
			msg = msg[len(p):]
		}
		if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:]
		}
		return nil, &Error{Exception: "SchemaBuilderException", Msg: msg}
	}
	return s, nil
}

// RequireStructSchema is what ConnectSchema.fields() throws for other types.
func RequireStructSchema(s *connectors.Schema) error {
	if s.Type != connectors.TypeStruct {
		return Data("Cannot list fields on non-struct type")
	}
	return nil
}
