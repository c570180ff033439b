package avro

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"

	"github.com/ferryhq/ferry/transforms/convert/avro/avsc"

	"github.com/ferryhq/ferry/connectors"
)

// schemaReader turns an Avro writer schema into a Connect schema as
// Confluent's AvroData.toConnectSchema does.
type schemaReader struct {
	// visiting holds the named types being converted: Connect schemas cannot
	// be recursive.
	visiting map[string]bool
}

// use is how a schema is used: as a field (with its doc and default) or alone.
type use struct {
	optional bool
	doc      string
	def      any
	hasDef   bool
}

// connectDefaultName matches the record names AvroData gives unnamed structs.
var connectDefaultName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^io\.confluent\.connect\.avro\.ConnectDefault[0-9]*$`)
})

func toConnectSchema(a avsc.Schema) (*connectors.Schema, error) {
	r := &schemaReader{visiting: map[string]bool{}}
	return r.schema(a, use{})
}

func (r *schemaReader) schema(a avsc.Schema, m use) (*connectors.Schema, error) {
	if ref, ok := a.(*avsc.RefSchema); ok {
		a = ref.Schema()
	}
	if u, ok := a.(*avsc.UnionSchema); ok {
		return r.union(u, m)
	}
	b, err := r.base(a)
	if err != nil {
		return nil, err
	}
	if m.optional {
		b.Optional()
	}
	r.meta(a, b, m)
	return withDefault(b, a, m)
}

// withDefault builds b, with the field default (or connect.default) converted for it.
func withDefault(b *connectors.SchemaBuilder, a avsc.Schema, m use) (*connectors.Schema, error) {
	s, err := b.Build()
	if err != nil {
		return nil, err
	}
	raw, ok, b64 := m.def, m.hasDef && m.def != nil, false
	if p, has := a.(propsHolder); has && !ok {
		raw, b64 = p.Prop(propDefault), true
		ok = raw != nil
	}
	if !ok || s.Type == connectors.TypeStruct {
		return s, nil
	}
	d, err := fromDefault(s, raw, b64)
	if err != nil {
		return nil, err
	}
	return b.DefaultValue(d).Build()
}

type propsHolder interface{ Prop(string) any }

func (r *schemaReader) union(u *avsc.UnionSchema, m use) (*connectors.Schema, error) {
	types := u.Types()
	if len(types) == 2 && u.Nullable() {
		_, ti := u.Indices()
		// AvroData takes an optional value's default from connect.default
		// only, not from the field's default.
		m.optional, m.def, m.hasDef = true, nil, false
		return r.schema(types[ti], m)
	}
	// A general union is a struct with one optional field per use (AvroData's Union).
	b := connectors.StructBuilder().Name(unionName)
	for _, t := range types {
		if t.Type() == avsc.Null {
			b.Optional()
			continue
		}
		fs, err := r.schema(t, use{optional: true})
		if err != nil {
			return nil, err
		}
		b.Field(unionMemberName(t), fs)
	}
	if m.optional {
		b.Optional()
	}
	return b.Build()
}

// unionMemberName names a union use's field: its simple name for named
// types, its type name otherwise.
func unionMemberName(t avsc.Schema) string {
	if ref, ok := t.(*avsc.RefSchema); ok {
		t = ref.Schema()
	}
	if n, ok := t.(avsc.NamedSchema); ok {
		return n.Name()
	}
	return string(t.Type())
}

func (r *schemaReader) base(a avsc.Schema) (*connectors.SchemaBuilder, error) {
	switch a := a.(type) {
	case *avsc.PrimitiveSchema:
		return primitive(a)
	case *avsc.RecordSchema:
		return r.record(a)
	case *avsc.ArraySchema:
		return r.array(a)
	case *avsc.MapSchema:
		vs, err := r.schema(a.Values(), use{})
		if err != nil {
			return nil, err
		}
		return connectors.MapOf(connectors.StringSchema, vs), nil
	case *avsc.EnumSchema:
		b := connectors.NewSchemaBuilder(connectors.TypeString).Parameter(enumParam, a.FullName())
		for _, sym := range a.Symbols() {
			b.Parameter(enumParam+"."+sym, sym)
		}
		return b, nil
	case *avsc.FixedSchema:
		if d, ok := a.Logical().(*avsc.DecimalLogicalSchema); ok {
			return decimal(d), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeBytes).Parameter(fixedSizeParam, strconv.Itoa(a.Size())), nil
	}
	return nil, connectors.DataError("Couldn't translate unsupported schema type %s.", a.Type())
}

func primitive(a *avsc.PrimitiveSchema) (*connectors.SchemaBuilder, error) {
	var logical avsc.LogicalType
	if l := a.Logical(); l != nil {
		logical = l.Type()
	}
	switch a.Type() {
	case avsc.Int:
		switch {
		case logical == avsc.Date:
			return connectors.DateSchema(), nil
		case logical == avsc.TimeMillis:
			return connectors.TimeSchema(), nil
		case a.Prop(propType) == "int8":
			return connectors.NewSchemaBuilder(connectors.TypeInt8), nil
		case a.Prop(propType) == "int16":
			return connectors.NewSchemaBuilder(connectors.TypeInt16), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeInt32), nil
	case avsc.Long:
		if logical == avsc.TimestampMillis {
			return connectors.TimestampSchema(), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeInt64), nil
	case avsc.Float:
		return connectors.NewSchemaBuilder(connectors.TypeFloat32), nil
	case avsc.Double:
		return connectors.NewSchemaBuilder(connectors.TypeFloat64), nil
	case avsc.Boolean:
		return connectors.NewSchemaBuilder(connectors.TypeBoolean), nil
	case avsc.String:
		return connectors.NewSchemaBuilder(connectors.TypeString), nil
	case avsc.Bytes:
		if d, ok := a.Logical().(*avsc.DecimalLogicalSchema); ok {
			return decimal(d), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeBytes), nil
	}
	return nil, connectors.DataError("Couldn't translate unsupported schema type %s.", a.Type())
}

func decimal(d *avsc.DecimalLogicalSchema) *connectors.SchemaBuilder {
	b := connectors.DecimalSchema(int32(d.Scale()))
	if d.Precision() != defaultPrecison {
		b.Parameter(precisionParam, strconv.Itoa(d.Precision()))
	}
	return b
}

func (r *schemaReader) record(a *avsc.RecordSchema) (*connectors.SchemaBuilder, error) {
	if r.visiting[a.FullName()] {
		return nil, connectors.DataError("Recursive Avro schema %s cannot be represented as a Connect schema", a.FullName())
	}
	r.visiting[a.FullName()] = true
	defer delete(r.visiting, a.FullName())
	b := connectors.StructBuilder()
	for _, f := range a.Fields() {
		fs, err := r.schema(f.Type(), use{doc: f.Doc(), def: f.Default(), hasDef: f.HasDefault()})
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name(), err)
		}
		b.Field(f.Name(), fs)
	}
	return b, nil
}

func (r *schemaReader) array(a *avsc.ArraySchema) (*connectors.SchemaBuilder, error) {
	items := a.Items()
	if ref, ok := items.(*avsc.RefSchema); ok {
		items = ref.Schema()
	}
	if rec, ok := items.(*avsc.RecordSchema); ok && isMapEntry(rec) {
		k, err := r.schema(rec.Fields()[0].Type(), use{})
		if err != nil {
			return nil, err
		}
		v, err := r.schema(rec.Fields()[1].Type(), use{})
		if err != nil {
			return nil, err
		}
		return connectors.MapOf(k, v), nil
	}
	is, err := r.schema(a.Items(), use{})
	if err != nil {
		return nil, err
	}
	return connectors.ArrayOf(is), nil
}

// isMapEntry recognises AvroData's representation of a map with non-string keys.
func isMapEntry(rec *avsc.RecordSchema) bool {
	fs := rec.Fields()
	if len(fs) != 2 || fs[0].Name() != "key" || fs[1].Name() != "value" {
		return false
	}
	return rec.FullName() == namespace+"."+mapEntryName || rec.Prop(propInternal) == mapEntryName
}

// meta applies connect.name/doc/version/parameters, or the Avro name of a named type.
func (r *schemaReader) meta(a avsc.Schema, b *connectors.SchemaBuilder, m use) {
	p, _ := a.(propsHolder)
	if p == nil {
		return
	}
	if name, ok := p.Prop(propName).(string); ok {
		b.Name(name)
	} else if n, ok := a.(avsc.NamedSchema); ok && !connectDefaultName().MatchString(n.FullName()) {
		if _, isMapEntry := a.(*avsc.RecordSchema); !isMapEntry || n.FullName() != namespace+"."+mapEntryName {
			b.Name(n.FullName())
		}
	}
	rec, _ := a.(*avsc.RecordSchema)
	if rec != nil && rec.Doc() != "" {
		b.Parameter(recordDocParam, rec.Doc())
	}
	if doc, ok := p.Prop(propDoc).(string); ok {
		b.Doc(doc)
	} else if rec != nil && rec.Doc() != "" {
		b.Doc(rec.Doc())
	} else if m.doc != "" {
		b.Doc(m.doc)
	}
	if v := p.Prop(propVersion); v != nil {
		b.Version(int32(num(v)))
	}
	if params, ok := p.Prop(propParameters).(map[string]any); ok {
		for k, v := range params {
			if s, ok := v.(string); ok {
				b.Parameter(k, s)
			}
		}
	}
}
