package jsonschema

import (
	stdjson "encoding/json"
	"sort"

	"github.com/ferryhq/ferry/connectors"
)

// toConnect is JsonSchemaData.toConnectSchema for the documents fromConnect
// writes (and plain JSON Schemas of the same shapes): types from "type" and
// connect.type, optional from a oneOf with "null", the name from "title",
// the doc from "description", struct field order from connect.index.
func toConnect(n map[string]any) (*connectors.Schema, error) {
	if oneOf, ok := n["oneOf"].([]any); ok {
		return optional(n, oneOf)
	}
	if types, ok := n["type"].([]any); ok {
		return typeList(n, types)
	}
	b, err := baseBuilder(n)
	if err != nil {
		return nil, err
	}
	return withMeta(b, n)
}

// optional reads {"oneOf":[{"type":"null"}, T]} as an optional T, the outer
// object's metadata applying to it.
func optional(n map[string]any, oneOf []any) (*connectors.Schema, error) {
	var inner map[string]any
	for _, o := range oneOf {
		m, _ := o.(map[string]any)
		if m["type"] == "null" {
			continue
		}
		if inner != nil {
			return nil, connectors.DataError("oneOf with more than one non-null schema is not supported")
		}
		inner = m
	}
	if inner == nil {
		return nil, connectors.DataError("oneOf without a non-null schema")
	}
	b, err := baseBuilder(inner)
	if err != nil {
		return nil, err
	}
	b.Optional()
	return withMeta(b, n)
}

// typeList reads {"type": ["null", T]} (plain JSON Schemas) as an optional T.
func typeList(n map[string]any, types []any) (*connectors.Schema, error) {
	var t any
	nullable := false
	for _, x := range types {
		switch {
		case x == "null":
			nullable = true
		case t != nil:
			return nil, connectors.DataError("a type list with more than one non-null type is not supported")
		default:
			t = x
		}
	}
	inner := make(map[string]any, len(n))
	for k, v := range n {
		inner[k] = v
	}
	inner["type"] = t
	b, err := baseBuilder(inner)
	if err != nil {
		return nil, err
	}
	if nullable {
		b.Optional()
	}
	return withMeta(b, n)
}

func baseBuilder(n map[string]any) (*connectors.SchemaBuilder, error) {
	ct, _ := n[propType].(string)
	switch n["type"] {
	case "integer":
		t := map[string]connectors.Type{"int8": connectors.TypeInt8, "int16": connectors.TypeInt16, "int32": connectors.TypeInt32}[ct]
		if t == 0 {
			t = connectors.TypeInt64
		}
		return connectors.NewSchemaBuilder(t), nil
	case "number":
		switch ct {
		case "float32":
			return connectors.NewSchemaBuilder(connectors.TypeFloat32), nil
		case "bytes":
			return connectors.NewSchemaBuilder(connectors.TypeBytes), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeFloat64), nil
	case "boolean":
		return connectors.NewSchemaBuilder(connectors.TypeBoolean), nil
	case "string":
		if ct == "bytes" {
			return connectors.NewSchemaBuilder(connectors.TypeBytes), nil
		}
		return connectors.NewSchemaBuilder(connectors.TypeString), nil
	case "array":
		return arrayBuilder(n, ct)
	case "object":
		return objectBuilder(n, ct)
	}
	return nil, connectors.DataError("Unsupported JSON Schema type %v", n["type"])
}

func arrayBuilder(n map[string]any, ct string) (*connectors.SchemaBuilder, error) {
	items, _ := n["items"].(map[string]any)
	if ct == "map" {
		props, _ := items["properties"].(map[string]any)
		k, err := child(props[keyField])
		if err != nil {
			return nil, err
		}
		v, err := child(props[valueField])
		if err != nil {
			return nil, err
		}
		return connectors.MapOf(k, v), nil
	}
	is, err := child(items)
	if err != nil {
		return nil, err
	}
	return connectors.ArrayOf(is), nil
}

func objectBuilder(n map[string]any, ct string) (*connectors.SchemaBuilder, error) {
	if ct == "map" {
		v, err := child(n["additionalProperties"])
		if err != nil {
			return nil, err
		}
		return connectors.MapOf(connectors.StringSchema, v), nil
	}
	props, _ := n["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names) // properties without connect.index: by name
	sort.SliceStable(names, func(i, j int) bool { return index(props[names[i]]) < index(props[names[j]]) })
	b := connectors.StructBuilder()
	for _, name := range names {
		fs, err := child(props[name])
		if err != nil {
			return nil, err
		}
		b.Field(name, fs)
	}
	return b, nil
}

// index is a property's connect.index; properties without one sort last, by name.
func index(p any) float64 {
	m, _ := p.(map[string]any)
	if n, ok := m[propIndex].(stdjson.Number); ok {
		f, _ := n.Float64()
		return f
	}
	return 1 << 30
}

func child(n any) (*connectors.Schema, error) {
	m, ok := n.(map[string]any)
	if !ok {
		return nil, connectors.DataError("JSON Schema is missing a sub-schema")
	}
	return toConnect(m)
}

func withMeta(b *connectors.SchemaBuilder, n map[string]any) (*connectors.Schema, error) {
	if t, ok := n["title"].(string); ok {
		b.Name(t)
	}
	if d, ok := n["description"].(string); ok {
		b.Doc(d)
	}
	if v, ok := n[propVersion].(stdjson.Number); ok {
		i, err := v.Int64()
		if err != nil {
			return nil, connectors.DataError("Invalid %s %s", propVersion, v)
		}
		b.Version(int32(i))
	}
	if p, ok := n[propParameters].(map[string]any); ok {
		for k, v := range p {
			if s, ok := v.(string); ok {
				b.Parameter(k, s)
			}
		}
	}
	s, err := b.Build()
	if err != nil || n["default"] == nil || s.Type == connectors.TypeStruct {
		return s, err
	}
	d, err := readValue(s, n["default"])
	if err != nil {
		return nil, err
	}
	return b.DefaultValue(d).Build()
}
