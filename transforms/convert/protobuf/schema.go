package protobuf

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
)

// Names of ProtobufData.
const (
	defaultName    = "ConnectDefault"
	precisionParam = "connect.decimal.precision"
	propType       = "connect.type"
	decimalType    = "confluent.type.Decimal"
	dateType       = "google.type.Date"
	timeType       = "google.type.TimeOfDay"
	timestampType  = "google.protobuf.Timestamp"
)

var identifier = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// protoWriter writes the .proto text of a Connect STRUCT schema as Confluent's
// ProtobufData.fromConnectSchema does: one proto3 message per struct (nested
// structs as nested messages), field numbers in field order from 1, INT8 and
// INT16 as int32 annotated with connect.type, Decimal as
// confluent.type.Decimal, Date/Time/Timestamp as google.type.Date,
// google.type.TimeOfDay and google.protobuf.Timestamp, arrays as repeated
// fields and maps as map fields.
type protoWriter struct {
	imports map[string]bool
	unnamed int
	// nested holds the message names defined in the message being written:
	// a struct schema used twice is defined once.
	nested map[string]bool
}

// protoSchema returns the .proto text of s and its message's full name.
func protoSchema(s *connectors.Schema) (text, fullName string, err error) {
	if s.Type != connectors.TypeStruct {
		return "", "", connectors.DataError("ProtobufConverter needs a STRUCT schema, got %s", s.Type)
	}
	w := &protoWriter{imports: map[string]bool{}}
	pkg, name := w.names(s)
	var body strings.Builder
	if err := w.message(&body, s, name, ""); err != nil {
		return "", "", err
	}
	var b strings.Builder
	b.WriteString("syntax = \"proto3\";\n")
	if pkg != "" {
		fmt.Fprintf(&b, "package %s;\n", pkg)
	}
	imports := make([]string, 0, len(w.imports))
	for i := range w.imports {
		imports = append(imports, i)
	}
	sort.Strings(imports)
	if len(imports) > 0 {
		b.WriteString("\n")
	}
	for _, i := range imports {
		fmt.Fprintf(&b, "import %q;\n", i)
	}
	b.WriteString("\n")
	b.WriteString(body.String())
	fullName = name
	if pkg != "" {
		fullName = pkg + "." + name
	}
	return b.String(), fullName, nil
}

// names splits a struct's Connect name into package and message name;
// unnamed structs are ConnectDefault1, ConnectDefault2, ...
func (w *protoWriter) names(s *connectors.Schema) (pkg, name string) {
	if s.Name == "" {
		w.unnamed++
		return "", fmt.Sprintf("%s%d", defaultName, w.unnamed)
	}
	if i := strings.LastIndexByte(s.Name, '.'); i >= 0 {
		return s.Name[:i], s.Name[i+1:]
	}
	return "", s.Name
}

func (w *protoWriter) message(b *strings.Builder, s *connectors.Schema, name, indent string) error {
	if !identifier().MatchString(name) {
		return connectors.DataError("%q is not a valid Protobuf message name", name)
	}
	fmt.Fprintf(b, "%smessage %s {\n", indent, name)
	outer := w.nested
	w.nested = map[string]bool{}
	defer func() { w.nested = outer }()
	var nested strings.Builder
	for i, f := range s.Fields {
		if !identifier().MatchString(f.Name) {
			return connectors.DataError("field %q is not a valid Protobuf field name", f.Name)
		}
		typ, opts, err := w.fieldType(&nested, f.Schema, indent+"  ", true)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		fmt.Fprintf(b, "%s  %s %s = %d%s;\n", indent, typ, f.Name, i+1, opts)
	}
	b.WriteString(nested.String())
	fmt.Fprintf(b, "%s}\n", indent)
	return nil
}

// fieldType returns the field's type text and options, writing the messages
// of nested structs into nested.
func (w *protoWriter) fieldType(nested *strings.Builder, s *connectors.Schema, indent string, top bool) (string, string, error) {
	switch s.Name {
	case connectors.DecimalName:
		w.imports["confluent/type/decimal.proto"] = true
		w.imports["confluent/meta.proto"] = true
		scale, err := connectors.DecimalScale(s)
		if err != nil {
			return "", "", err
		}
		params := ""
		if p, ok := s.Parameters[precisionParam]; ok {
			params = fmt.Sprintf(`{ key: "precision", value: %q }, `, p)
		}
		return decimalType, fmt.Sprintf(` [(confluent.field_meta) = { params: [ %s{ key: "scale", value: "%d" } ] }]`, params, scale), nil
	case connectors.DateName:
		w.imports["google/type/date.proto"] = true
		return dateType, "", nil
	case connectors.TimeName:
		w.imports["google/type/timeofday.proto"] = true
		return timeType, "", nil
	case connectors.TimestampName:
		w.imports["google/protobuf/timestamp.proto"] = true
		return timestampType, "", nil
	}
	switch s.Type {
	case connectors.TypeInt8, connectors.TypeInt16:
		w.imports["confluent/meta.proto"] = true
		return "int32", fmt.Sprintf(` [(confluent.field_meta) = { params: [ { key: %q, value: %q } ] }]`,
			propType, strings.ToLower(s.Type.String())), nil
	case connectors.TypeInt32:
		return "int32", "", nil
	case connectors.TypeInt64:
		return "int64", "", nil
	case connectors.TypeFloat32:
		return "float", "", nil
	case connectors.TypeFloat64:
		return "double", "", nil
	case connectors.TypeBoolean:
		return "bool", "", nil
	case connectors.TypeString:
		return "string", "", nil
	case connectors.TypeBytes:
		return "bytes", "", nil
	case connectors.TypeArray:
		if !top || s.ValueSchema.Type == connectors.TypeArray || s.ValueSchema.Type == connectors.TypeMap {
			return "", "", connectors.DataError("arrays of arrays or maps cannot be written as Protobuf")
		}
		t, opts, err := w.fieldType(nested, s.ValueSchema, indent, false)
		return "repeated " + t, opts, err
	case connectors.TypeMap:
		return w.mapType(nested, s, indent, top)
	case connectors.TypeStruct:
		_, name := w.names(s)
		if w.nested[name] {
			return name, "", nil
		}
		w.nested[name] = true
		return name, "", w.message(nested, s, name, indent)
	}
	return "", "", connectors.DataError("Unknown schema type: %s", s.Type)
}

func (w *protoWriter) mapType(nested *strings.Builder, s *connectors.Schema, indent string, top bool) (string, string, error) {
	keys := map[connectors.Type]string{connectors.TypeString: "string", connectors.TypeInt32: "int32",
		connectors.TypeInt64: "int64", connectors.TypeBoolean: "bool"}
	k, ok := keys[s.KeySchema.Type]
	if !ok || s.KeySchema.Name != "" || !top {
		return "", "", connectors.DataError("map keys of type %s cannot be written as Protobuf map keys", s.KeySchema.Type)
	}
	vt := s.ValueSchema.Type
	if vt == connectors.TypeArray || vt == connectors.TypeMap || vt == connectors.TypeInt8 || vt == connectors.TypeInt16 {
		return "", "", connectors.DataError("map values of type %s cannot be written as Protobuf", vt)
	}
	v, _, err := w.fieldType(nested, s.ValueSchema, indent, false)
	return fmt.Sprintf("map<%s, %s>", k, v), "", err
}
