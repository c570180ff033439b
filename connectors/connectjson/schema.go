package connectjson

import (
	"strconv"

	"github.com/ferryhq/ferry/connectors"
)

// jsonTypeNames are the type names of the schema JSON (FLOAT32 is "float").
var jsonTypeNames = [...]string{
	connectors.TypeInt8: "int8", connectors.TypeInt16: "int16", connectors.TypeInt32: "int32",
	connectors.TypeInt64: "int64", connectors.TypeFloat32: "float", connectors.TypeFloat64: "double",
	connectors.TypeBoolean: "boolean", connectors.TypeString: "string", connectors.TypeBytes: "bytes",
	connectors.TypeArray: "array", connectors.TypeMap: "map", connectors.TypeStruct: "struct",
}

// schema writes s as JsonConverter.asJsonSchema does, in its exact field order:
// type, items | keys,values | fields, optional, name, version, doc, parameters, default.
func (e *encoder) schema(s *connectors.Schema) error {
	return e.schemaField(s, nil)
}

// schemaField writes s, followed by "field": name for a struct field.
func (e *encoder) schemaField(s *connectors.Schema, field *string) error {
	if int(s.Type) >= len(jsonTypeNames) || s.Type == 0 {
		return connectors.DataError("Couldn't translate unsupported schema type %s.", s.Type)
	}
	e.buf = append(e.buf, `{"type":"`...)
	e.buf = append(e.buf, jsonTypeNames[s.Type]...)
	e.buf = append(e.buf, '"')
	if err := e.schemaChildren(s); err != nil {
		return err
	}
	e.buf = append(e.buf, `,"optional":`...)
	e.buf = strconv.AppendBool(e.buf, s.Optional)
	if s.Name != "" {
		e.buf = append(e.buf, `,"name":`...)
		e.str(s.Name)
	}
	if s.Version != nil {
		e.buf = append(e.buf, `,"version":`...)
		e.buf = strconv.AppendInt(e.buf, int64(*s.Version), 10)
	}
	if s.Doc != "" {
		e.buf = append(e.buf, `,"doc":`...)
		e.str(s.Doc)
	}
	if s.Parameters != nil {
		e.buf = append(e.buf, `,"parameters":{`...)
		for i, k := range s.SortedParameterKeys() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.str(k)
			e.buf = append(e.buf, ':')
			e.str(s.Parameters[k])
		}
		e.buf = append(e.buf, '}')
	}
	if s.Default != nil {
		e.buf = append(e.buf, `,"default":`...)
		if err := e.value(s, s.Default); err != nil {
			return err
		}
	}
	if field != nil {
		e.buf = append(e.buf, `,"field":`...)
		e.str(*field)
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) schemaChildren(s *connectors.Schema) error {
	switch s.Type {
	case connectors.TypeArray:
		e.buf = append(e.buf, `,"items":`...)
		return e.schema(s.ValueSchema)
	case connectors.TypeMap:
		e.buf = append(e.buf, `,"keys":`...)
		if err := e.schema(s.KeySchema); err != nil {
			return err
		}
		e.buf = append(e.buf, `,"values":`...)
		return e.schema(s.ValueSchema)
	case connectors.TypeStruct:
		e.buf = append(e.buf, `,"fields":[`...)
		for i := range s.Fields {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.schemaField(s.Fields[i].Schema, &s.Fields[i].Name); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	}
	return nil
}
