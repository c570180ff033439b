package avro

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Names and properties of Confluent's AvroData.
const (
	namespace       = "io.confluent.connect.avro"
	defaultName     = "ConnectDefault"
	mapEntryName    = "MapEntry"
	unionName       = namespace + ".Union"
	enumParam       = namespace + ".Enum"
	propName        = "connect.name"
	propDoc         = "connect.doc"
	propVersion     = "connect.version"
	propParameters  = "connect.parameters"
	propDefault     = "connect.default"
	propType        = "connect.type"
	propInternal    = "connect.internal.type"
	precisionParam  = "connect.decimal.precision"
	recordDocParam  = "connect.record.doc"
	fixedSizeParam  = "connect.fixed.size"
	defaultPrecison = 64
)

// schemaWriter turns one Connect schema into Avro schema JSON as Confluent's
// AvroData.fromConnectSchema does.
type schemaWriter struct {
	metaData bool
	unnamed  int
	// defined maps a named type's full name to its definition, written once
	// and referenced by name afterwards, as Avro's Schema.toString does.
	defined map[string][]byte
	// space is the namespace of the record being written: Avro's
	// Schema.toString writes a nested record's namespace only when it differs.
	space string
}

// avroSchema returns the Avro schema JSON of s and its full name (for the
// record-name subject strategies).
func avroSchema(s *connectors.Schema, metaData bool) (text []byte, fullName string, err error) {
	w := &schemaWriter{metaData: metaData, defined: map[string][]byte{}}
	v, err := w.schema(s, 0)
	if err != nil {
		return nil, "", err
	}
	return appendJSON(nil, v), fullNameOf(v), nil
}

// fullNameOf is Avro's getFullName of the top-level schema: the record name,
// or the type name of a primitive ("string"), or "union"/"array"/"map".
func fullNameOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		return "union"
	case obj:
		var typ, name, ns string
		for _, m := range x {
			switch m.key {
			case "type":
				typ, _ = m.val.(string)
			case "name":
				name, _ = m.val.(string)
			case "namespace":
				ns, _ = m.val.(string)
			}
		}
		if name == "" {
			return typ
		}
		if ns == "" {
			return name
		}
		return ns + "." + name
	}
	return ""
}

func (w *schemaWriter) schema(s *connectors.Schema, depth int) (any, error) {
	base, err := w.base(s, depth)
	if err != nil {
		return nil, err
	}
	if s.Type == connectors.TypeStruct {
		return w.optional(s, base), nil // a record carries its properties itself
	}
	o := w.props(s, base.(obj))
	var out any = o
	if len(o) == 1 {
		out = o[0].val // a primitive without properties is written as "int"
	}
	return w.optional(s, out), nil
}

// optional wraps an optional schema in a union: ["null", T], or [T, "null"]
// when it has a default (an Avro union's default must match its first branch).
func (w *schemaWriter) optional(s *connectors.Schema, t any) any {
	if !s.Optional {
		return t
	}
	if s.Default != nil {
		return []any{t, "null"}
	}
	return []any{"null", t}
}

// base is the Avro type before Connect metadata and optionality.
func (w *schemaWriter) base(s *connectors.Schema, depth int) (any, error) {
	switch s.Type {
	case connectors.TypeInt8, connectors.TypeInt16, connectors.TypeInt32:
		return obj{{"type", "int"}}, nil
	case connectors.TypeInt64:
		return obj{{"type", "long"}}, nil
	case connectors.TypeFloat32:
		return obj{{"type", "float"}}, nil
	case connectors.TypeFloat64:
		return obj{{"type", "double"}}, nil
	case connectors.TypeBoolean:
		return obj{{"type", "boolean"}}, nil
	case connectors.TypeString:
		return obj{{"type", "string"}}, nil
	case connectors.TypeBytes:
		return w.bytes(s)
	case connectors.TypeArray:
		items, err := w.schema(s.ValueSchema, depth+1)
		if err != nil {
			return nil, err
		}
		return obj{{"type", "array"}, {"items", items}}, nil
	case connectors.TypeMap:
		return w.mapSchema(s, depth)
	case connectors.TypeStruct:
		return w.record(s, depth)
	}
	return nil, connectors.DataError("Unknown schema type: %s", s.Type)
}

func (w *schemaWriter) bytes(s *connectors.Schema) (any, error) {
	o := obj{{"type", "bytes"}}
	if s.Name != connectors.DecimalName {
		return o, nil
	}
	scale, err := connectors.DecimalScale(s)
	if err != nil {
		return nil, err
	}
	precision := defaultPrecison
	if p, ok := s.Parameters[precisionParam]; ok {
		if precision, err = strconv.Atoi(p); err != nil {
			return nil, connectors.DataError("Invalid %s parameter in Decimal schema: %s", precisionParam, p)
		}
	}
	return o.with("scale", int(scale)).with("precision", precision), nil
}

func (w *schemaWriter) mapSchema(s *connectors.Schema, depth int) (any, error) {
	if s.KeySchema.Type == connectors.TypeString && !s.KeySchema.Optional {
		values, err := w.schema(s.ValueSchema, depth+1)
		if err != nil {
			return nil, err
		}
		return obj{{"type", "map"}, {"values", values}}, nil
	}
	ns, name := namespace, mapEntryName
	if s.Name != "" {
		ns, name = splitName(s.Name)
	}
	rec := w.nameMembers(obj{{"type", "record"}}, ns, name)
	outer := w.space
	w.space = ns
	key, err := w.field("key", s.KeySchema, depth+1)
	if err != nil {
		return nil, err
	}
	value, err := w.field("value", s.ValueSchema, depth+1)
	if err != nil {
		return nil, err
	}
	w.space = outer
	rec = rec.with("fields", []any{key, value})
	if s.Name != "" {
		rec = rec.with(propInternal, mapEntryName)
	}
	entry, err := w.define(ns, name, rec)
	if err != nil {
		return nil, err
	}
	return obj{{"type", "array"}, {"items", entry}}, nil
}

func (w *schemaWriter) record(s *connectors.Schema, depth int) (any, error) {
	ns, name := namespace, defaultName
	if s.Name != "" {
		ns, name = splitName(s.Name)
	} else if w.unnamed++; w.unnamed > 1 {
		name += strconv.Itoa(w.unnamed)
	}
	rec := w.nameMembers(obj{{"type", "record"}}, ns, name)
	if doc := s.Parameters[recordDocParam]; doc != "" {
		rec = rec.with("doc", doc)
	}
	outer := w.space
	w.space = ns
	fields := make([]any, 0, len(s.Fields))
	for _, f := range s.Fields {
		fo, err := w.field(f.Name, f.Schema, depth+1)
		if err != nil {
			return nil, err
		}
		fields = append(fields, fo)
	}
	w.space = outer
	rec = w.props(s, rec.with("fields", fields))
	return w.define(ns, name, rec)
}

// nameMembers adds "name" and, as Avro's Schema.toString does, "namespace"
// when it differs from the enclosing record's ("" for none inside one).
func (w *schemaWriter) nameMembers(o obj, ns, name string) obj {
	o = o.with("name", name)
	if ns != w.space {
		o = o.with("namespace", ns)
	}
	return o
}

// define returns a named type's definition the first time, its name after.
func (w *schemaWriter) define(ns, name string, def obj) (any, error) {
	full := name
	if ns != "" {
		full = ns + "." + name
	}
	text := appendJSON(nil, def)
	if prev, ok := w.defined[full]; ok {
		if !bytes.Equal(prev, text) {
			return nil, connectors.DataError("Can't redefine: %s", full)
		}
		return full, nil
	}
	w.defined[full] = text
	return def, nil
}

func (w *schemaWriter) field(name string, s *connectors.Schema, depth int) (obj, error) {
	t, err := w.schema(s, depth)
	if err != nil {
		return nil, err
	}
	f := obj{{"name", name}, {"type", t}}
	if s.Doc != "" {
		f = f.with("doc", s.Doc)
	}
	if s.Default != nil {
		d, err := defaultJSON(s, s.Default, false)
		if err != nil {
			return nil, err
		}
		f = f.with("default", d)
	} else if s.Optional {
		f = f.with("default", nil)
	}
	return f, nil
}

// props adds Connect's metadata properties and the logical type, in AvroData's order.
func (w *schemaWriter) props(s *connectors.Schema, o obj) obj {
	if w.metaData {
		if s.Doc != "" {
			o = o.with(propDoc, s.Doc)
		}
		if s.Version != nil {
			o = o.with(propVersion, int(*s.Version))
		}
		if s.Parameters != nil {
			p := obj{}
			for _, k := range s.SortedParameterKeys() {
				p = p.with(k, s.Parameters[k])
			}
			o = o.with(propParameters, p)
		}
		if s.Default != nil {
			if d, err := defaultJSON(s, s.Default, true); err == nil {
				o = o.with(propDefault, d)
			}
		}
		if s.Name != "" {
			o = o.with(propName, s.Name)
		}
		switch s.Type {
		case connectors.TypeInt8:
			o = o.with(propType, "int8")
		case connectors.TypeInt16:
			o = o.with(propType, "int16")
		}
	}
	switch s.Name {
	case connectors.DecimalName:
		o = o.with("logicalType", "decimal")
	case connectors.TimeName:
		o = o.with("logicalType", "time-millis")
	case connectors.TimestampName:
		o = o.with("logicalType", "timestamp-millis")
	case connectors.DateName:
		o = o.with("logicalType", "date")
	}
	return o
}

// splitName splits a full name at its last dot into namespace and name.
func splitName(full string) (ns, name string) {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return "", full
	}
	return full[:i], full[i+1:]
}
