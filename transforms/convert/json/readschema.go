package json

import (
	"github.com/ferryhq/ferry/connectors"
)

// Logical kinds recognised while reading.
const (
	logicalNone uint8 = iota
	logicalDecimal
	logicalDate
	logicalTime
	logicalTimestamp
)

// rschema is a parsed schema prepared for fast reading: child schemas
// resolved, field names indexed, logical type and decimal scale known.
type rschema struct {
	s       *connectors.Schema
	elem    *rschema // ARRAY element or MAP value
	key     *rschema
	fields  []*rschema
	index   map[string]int
	logical uint8
	scale   int32
	// scaleErr is set when a Decimal schema has no valid scale parameter.
	scaleErr error
}

// field finds a struct field by its raw JSON name without allocating.
func (r *rschema) field(name []byte) int {
	if r.index != nil {
		if i, ok := r.index[string(name)]; ok {
			return i
		}
		return -1
	}
	for i := range r.s.Fields {
		if r.s.Fields[i].Name == string(name) {
			return i
		}
	}
	return -1
}

// schemaSpans are the raw members of one schema object.
type schemaSpans struct {
	typ, items, keys, values, fields, optional, name, version, doc, params, def, field []byte
}

func (d *decoder) schemaSpans() (sp schemaSpans, isObject bool, err error) {
	if d.peek() != '{' {
		_, err := d.span()
		return sp, false, err
	}
	d.pos++
	if err := d.enter(); err != nil {
		return sp, false, err
	}
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil || !ok {
			return sp, true, err
		}
		k, err := d.key()
		if err != nil {
			return sp, true, err
		}
		v, err := d.span()
		if err != nil {
			return sp, true, err
		}
		sp.set(string(k), v)
	}
}

func (sp *schemaSpans) set(k string, v []byte) {
	switch k {
	case "type":
		sp.typ = v
	case "items":
		sp.items = v
	case "keys":
		sp.keys = v
	case "values":
		sp.values = v
	case "fields":
		sp.fields = v
	case "optional":
		sp.optional = v
	case "name":
		sp.name = v
	case "version":
		sp.version = v
	case "doc":
		sp.doc = v
	case "parameters":
		sp.params = v
	case "default":
		sp.def = v
	case "field":
		sp.field = v
	}
}

// textOf returns the text of a raw JSON string value, ok false for other values.
func textOf(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	d := decoder{data: raw}
	s, err := d.str()
	return s, err == nil
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// parseSchema reads one schema object, as JsonConverter.asConnectSchema.
func (d *decoder) parseSchema() (*rschema, error) {
	sp, _, err := d.schemaSpans()
	if err != nil {
		return nil, err
	}
	return d.fromSpans(&sp)
}

func (d *decoder) fromSpans(sp *schemaSpans) (*rschema, error) {
	typ, ok := textOf(sp.typ)
	if !ok {
		return nil, connectors.DataError("Schema must contain 'type' field")
	}
	r := &rschema{}
	b, err := d.schemaBuilder(r, typ, sp)
	if err != nil {
		return nil, err
	}
	if err := schemaMeta(b, sp); err != nil {
		return nil, err
	}
	if r.s, err = b.Build(); err != nil {
		return nil, connectors.DataError("%s", err)
	}
	r.prepare()
	if sp.def != nil {
		return d.withDefault(r, b, sp.def)
	}
	return r, nil
}

// withDefault reads the default against the schema built so far, then rebuilds
// the schema with it (a Struct default therefore fails validation, as in Kafka).
func (d *decoder) withDefault(r *rschema, b *connectors.SchemaBuilder, raw []byte) (*rschema, error) {
	dd := decoder{data: raw, replaceNull: d.replaceNull}
	v, err := dd.typed(r)
	if err != nil {
		return nil, err
	}
	s, err := b.DefaultValue(v).Build()
	if err != nil {
		return nil, connectors.DataError("%s", err)
	}
	r2 := *r
	r2.s = s
	return &r2, nil
}

func (d *decoder) child(raw []byte) (*rschema, error) {
	cd := decoder{data: raw, replaceNull: d.replaceNull}
	return cd.parseSchema()
}

func (d *decoder) schemaBuilder(r *rschema, typ string, sp *schemaSpans) (*connectors.SchemaBuilder, error) {
	switch typ {
	case "boolean":
		return connectors.NewSchemaBuilder(connectors.TypeBoolean), nil
	case "int8":
		return connectors.NewSchemaBuilder(connectors.TypeInt8), nil
	case "int16":
		return connectors.NewSchemaBuilder(connectors.TypeInt16), nil
	case "int32":
		return connectors.NewSchemaBuilder(connectors.TypeInt32), nil
	case "int64":
		return connectors.NewSchemaBuilder(connectors.TypeInt64), nil
	case "float":
		return connectors.NewSchemaBuilder(connectors.TypeFloat32), nil
	case "double":
		return connectors.NewSchemaBuilder(connectors.TypeFloat64), nil
	case "bytes":
		return connectors.NewSchemaBuilder(connectors.TypeBytes), nil
	case "string":
		return connectors.NewSchemaBuilder(connectors.TypeString), nil
	case "array":
		if sp.items == nil || isNull(sp.items) {
			return nil, connectors.DataError("Array schema did not specify the element type")
		}
		elem, err := d.child(sp.items)
		if err != nil {
			return nil, err
		}
		r.elem = elem
		return connectors.ArrayOf(elem.s), nil
	case "map":
		return d.mapBuilder(r, sp)
	case "struct":
		return d.structBuilder(r, sp)
	}
	return nil, connectors.DataError("Unknown schema type: %s", typ)
}

func (d *decoder) mapBuilder(r *rschema, sp *schemaSpans) (*connectors.SchemaBuilder, error) {
	if sp.keys == nil || isNull(sp.keys) {
		return nil, connectors.DataError("Map schema did not specify the key type")
	}
	if sp.values == nil || isNull(sp.values) {
		return nil, connectors.DataError("Map schema did not specify the value type")
	}
	k, err := d.child(sp.keys)
	if err != nil {
		return nil, err
	}
	v, err := d.child(sp.values)
	if err != nil {
		return nil, err
	}
	r.key, r.elem = k, v
	return connectors.MapOf(k.s, v.s), nil
}

func (d *decoder) structBuilder(r *rschema, sp *schemaSpans) (*connectors.SchemaBuilder, error) {
	if len(sp.fields) == 0 || sp.fields[0] != '[' {
		return nil, connectors.DataError(`Struct schema's "fields" argument is not an array.`)
	}
	b := connectors.StructBuilder()
	fd := decoder{data: sp.fields, replaceNull: d.replaceNull}
	fd.pos++
	for first := true; ; first = false {
		ok, err := fd.more(']', first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return b, nil
		}
		raw, err := fd.span()
		if err != nil {
			return nil, err
		}
		cd := decoder{data: raw, replaceNull: d.replaceNull}
		fsp, _, err := cd.schemaSpans()
		if err != nil {
			return nil, err
		}
		name, ok := textOf(fsp.field)
		if !ok {
			return nil, connectors.DataError("Struct schema's field name not specified properly")
		}
		f, err := cd.fromSpans(&fsp)
		if err != nil {
			return nil, err
		}
		r.fields = append(r.fields, f)
		b.Field(name, f.s)
	}
}

// schemaMeta applies optional, name, version, doc and parameters; values of
// the wrong JSON type are ignored, as in Kafka, except non-string parameters.
func schemaMeta(b *connectors.SchemaBuilder, sp *schemaSpans) error {
	if string(sp.optional) == "true" {
		b.Optional()
	}
	if name, ok := textOf(sp.name); ok {
		b.Name(name)
	}
	if len(sp.version) > 0 {
		d := decoder{data: sp.version}
		if raw, integral, err := d.number(); err == nil && integral && d.pos == len(sp.version) {
			b.Version(int32(parseInt64(raw)))
		}
	}
	if doc, ok := textOf(sp.doc); ok {
		b.Doc(doc)
	}
	if len(sp.params) == 0 || sp.params[0] != '{' {
		return nil
	}
	d := decoder{data: sp.params}
	d.pos++
	for first := true; ; first = false {
		ok, err := d.more('}', first)
		if err != nil || !ok {
			return err
		}
		k, err := d.key()
		if err != nil {
			return err
		}
		v, err := d.span()
		if err != nil {
			return err
		}
		text, ok := textOf(v)
		if !ok {
			return connectors.DataError("Schema parameters must have string values.")
		}
		b.Parameter(string(k), text)
	}
}

// prepare indexes fields and notes the logical type.
func (r *rschema) prepare() {
	if len(r.s.Fields) > 8 {
		r.index = make(map[string]int, len(r.s.Fields))
		for i, f := range r.s.Fields {
			r.index[f.Name] = i
		}
	}
	switch r.s.Name {
	case connectors.DecimalName:
		r.logical = logicalDecimal
		r.scale, r.scaleErr = connectors.DecimalScale(r.s)
	case connectors.DateName:
		r.logical = logicalDate
	case connectors.TimeName:
		r.logical = logicalTime
	case connectors.TimestampName:
		r.logical = logicalTimestamp
	}
}
