package jsonschema

import (
	"github.com/ferryhq/ferry/connectors"
)

// Properties of Confluent's JsonSchemaData.
const (
	propType       = "connect.type"
	propVersion    = "connect.version"
	propParameters = "connect.parameters"
	propIndex      = "connect.index"
	keyField       = "key"
	valueField     = "value"
)

// connectTypes are the connect.type annotations of JsonSchemaData.
var connectTypes = map[connectors.Type]string{
	connectors.TypeInt8: "int8", connectors.TypeInt16: "int16", connectors.TypeInt32: "int32",
	connectors.TypeInt64: "int64", connectors.TypeFloat32: "float32", connectors.TypeFloat64: "float64",
	connectors.TypeBytes: "bytes", connectors.TypeMap: "map",
}

// fromConnect is JsonSchemaData.fromConnectSchema: a Connect schema as a JSON
// Schema document (maps, written with sorted keys; struct field order is kept
// by connect.index).
func fromConnect(s *connectors.Schema) (map[string]any, error) {
	out, err := base(s)
	if err != nil {
		return nil, err
	}
	if s.Optional {
		out = map[string]any{"oneOf": []any{map[string]any{"type": "null"}, out}}
	}
	if s.Name != "" {
		out["title"] = s.Name
	}
	if s.Version != nil {
		out[propVersion] = int(*s.Version)
	}
	if s.Doc != "" {
		out["description"] = s.Doc
	}
	if s.Parameters != nil {
		p := map[string]any{}
		for k, v := range s.Parameters {
			p[k] = v
		}
		out[propParameters] = p
	}
	if s.Default != nil {
		d, err := payloadTree(s, s.Default)
		if err != nil {
			return nil, err
		}
		out["default"] = d
	}
	return out, nil
}

func base(s *connectors.Schema) (map[string]any, error) {
	out := map[string]any{}
	if ct, ok := connectTypes[s.Type]; ok {
		out[propType] = ct
	}
	switch s.Type {
	case connectors.TypeInt8, connectors.TypeInt16, connectors.TypeInt32, connectors.TypeInt64:
		out["type"] = "integer"
	case connectors.TypeFloat32, connectors.TypeFloat64:
		out["type"] = "number"
	case connectors.TypeBoolean:
		out["type"] = "boolean"
	case connectors.TypeString:
		out["type"] = "string"
	case connectors.TypeBytes:
		out["type"] = "string"
		if s.Name == connectors.DecimalName {
			out["type"] = "number"
		}
	case connectors.TypeArray:
		items, err := fromConnect(s.ValueSchema)
		if err != nil {
			return nil, err
		}
		out["type"], out["items"] = "array", items
	case connectors.TypeMap:
		return mapSchema(s, out)
	case connectors.TypeStruct:
		return structSchema(s, out)
	default:
		return nil, connectors.DataError("Unknown schema type: %s", s.Type)
	}
	return out, nil
}

func mapSchema(s *connectors.Schema, out map[string]any) (map[string]any, error) {
	values, err := fromConnect(s.ValueSchema)
	if err != nil {
		return nil, err
	}
	if s.KeySchema.Type == connectors.TypeString && !s.KeySchema.Optional {
		out["type"], out["additionalProperties"] = "object", values
		return out, nil
	}
	keys, err := fromConnect(s.KeySchema)
	if err != nil {
		return nil, err
	}
	out["type"] = "array"
	out["items"] = map[string]any{"type": "object", "properties": map[string]any{keyField: keys, valueField: values}}
	return out, nil
}

func structSchema(s *connectors.Schema, out map[string]any) (map[string]any, error) {
	props := map[string]any{}
	var required []any
	for i, f := range s.Fields {
		fs, err := fromConnect(f.Schema)
		if err != nil {
			return nil, err
		}
		fs[propIndex] = i
		props[f.Name] = fs
		if !f.Schema.Optional {
			required = append(required, f.Name)
		}
	}
	out["type"], out["properties"] = "object", props
	if len(required) > 0 {
		out["required"] = required
	}
	return out, nil
}

// recordName is what the record-name strategies use: the title (JsonSchema.name()).
func recordName(s *connectors.Schema) string { return s.Name }
