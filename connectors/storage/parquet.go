package storage

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
)

// ParquetFormat is Confluent's ParquetFormat: one Parquet file per object,
// its schema made from the records' Connect value schema, compressed with
// parquet.codec. Extensions follow parquet-mr's codec names
// (.snappy.parquet, .gz.parquet, .zstd.parquet, .lz4raw.parquet, .parquet).
type ParquetFormat struct {
	codec compress.Codec
	ext   string
	cache map[*connectors.Schema]*parquet.Schema
}

// NewParquetFormat returns ParquetFormat with the parquet.codec codec.
func NewParquetFormat(codec string) (*ParquetFormat, error) {
	f := &ParquetFormat{cache: map[*connectors.Schema]*parquet.Schema{}}
	switch codec {
	case "none", "uncompressed":
		f.codec, f.ext = &parquet.Uncompressed, ".parquet"
	case "snappy":
		f.codec, f.ext = &parquet.Snappy, ".snappy.parquet"
	case "gzip":
		f.codec, f.ext = &parquet.Gzip, ".gz.parquet"
	case "zstd":
		f.codec, f.ext = &parquet.Zstd, ".zstd.parquet"
	case "lz4":
		f.codec, f.ext = &parquet.Lz4Raw, ".lz4raw.parquet"
	default:
		return nil, &connectors.ConfigError{Key: "parquet.codec", Value: codec, Reason: "use none, snappy, gzip, zstd or lz4"}
	}
	return f, nil
}

// Extension is parquet-mr's: .snappy.parquet, .gz.parquet, ...
func (f *ParquetFormat) Extension() string { return f.ext }

// Open starts a Parquet file on w with the schema of first's value schema.
func (f *ParquetFormat) Open(w io.Writer, first *connectors.Record) (RecordWriter, error) {
	schema, err := f.schemaOf(first.ValueSchema)
	if err != nil {
		return nil, err
	}
	pw := parquet.NewGenericWriter[any](w, schema, parquet.Compression(f.codec))
	return &parquetWriter{w: pw, schema: first.ValueSchema, row: make([]any, 1)}, nil
}

func (f *ParquetFormat) schemaOf(s *connectors.Schema) (*parquet.Schema, error) {
	if ps, ok := f.cache[s]; ok {
		return ps, nil
	}
	if s == nil || s.Type != connectors.TypeStruct {
		return nil, fmt.Errorf("%w: ParquetFormat needs STRUCT values with a schema (got %s): use a converter with schemas", ErrSchema, describe(s))
	}
	root, err := parquetGroup(s, "")
	if err != nil {
		return nil, err
	}
	name := s.Name
	if name == "" {
		name = "ConnectDefault"
	}
	ps := parquet.NewSchema(name, root)
	f.cache[s] = ps
	return ps, nil
}

func describe(s *connectors.Schema) string {
	if s == nil {
		return "no schema"
	}
	return "schema type " + s.Type.String()
}

func parquetGroup(s *connectors.Schema, path string) (parquet.Node, error) {
	g := parquet.Group{}
	names := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		n, err := parquetNode(f.Schema, path+f.Name)
		if err != nil {
			return nil, err
		}
		g[f.Name], names[i] = n, f.Name
	}
	return orderedGroup{Group: g, order: names}, nil
}

// orderedGroup keeps the fields of a group in the Connect schema's order,
// as parquet-avro writes them (parquet.Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields returns the fields in schema order.
func (g orderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, len(g.order))
	for i, n := range g.order {
		out[i] = byName[n]
	}
	return out
}

// parquetNode maps a Connect schema to a Parquet node as Confluent's
// Connect → Avro → parquet-avro chain does: small ints as INT32, logical
// types as DATE/TIME_MILLIS/TIMESTAMP_MILLIS/DECIMAL, optional as OPTIONAL.
func parquetNode(s *connectors.Schema, path string) (parquet.Node, error) {
	n, err := parquetType(s, path)
	if err != nil {
		return nil, err
	}
	if s.Optional {
		return parquet.Optional(n), nil
	}
	return parquet.Required(n), nil
}

func parquetType(s *connectors.Schema, path string) (parquet.Node, error) {
	switch s.Name {
	case connectors.DecimalName:
		scale, err := connectors.DecimalScale(s)
		if err != nil {
			return nil, fmt.Errorf("%w: field %q: %w", ErrSchema, path, err)
		}
		precision := 38
		if p, err := strconv.Atoi(s.Parameters["connect.decimal.precision"]); err == nil && p > 0 {
			precision = p
		}
		return parquet.Decimal(int(scale), precision, parquet.ByteArrayType), nil
	case connectors.DateName:
		return parquet.Date(), nil
	case connectors.TimeName:
		return parquet.Time(parquet.Millisecond), nil
	case connectors.TimestampName:
		return parquet.Timestamp(parquet.Millisecond), nil
	}
	switch s.Type {
	case connectors.TypeInt8, connectors.TypeInt16, connectors.TypeInt32:
		return parquet.Leaf(parquet.Int32Type), nil
	case connectors.TypeInt64:
		return parquet.Leaf(parquet.Int64Type), nil
	case connectors.TypeFloat32:
		return parquet.Leaf(parquet.FloatType), nil
	case connectors.TypeFloat64:
		return parquet.Leaf(parquet.DoubleType), nil
	case connectors.TypeBoolean:
		return parquet.Leaf(parquet.BooleanType), nil
	case connectors.TypeString:
		return parquet.String(), nil
	case connectors.TypeBytes:
		return parquet.Leaf(parquet.ByteArrayType), nil
	case connectors.TypeStruct:
		if len(s.Fields) == 0 {
			return nil, fmt.Errorf("%w: field %q is a STRUCT without fields, which Parquet cannot store", ErrSchema, path)
		}
		return parquetGroup(s, path+".")
	case connectors.TypeArray:
		elem, err := parquetNode(s.ValueSchema, path+"[]")
		if err != nil {
			return nil, err
		}
		return parquet.List(elem), nil
	case connectors.TypeMap:
		if s.KeySchema.Type != connectors.TypeString {
			return nil, fmt.Errorf("%w: field %q is a MAP with %s keys; Parquet maps written by ferry need STRING keys", ErrSchema, path, s.KeySchema.Type)
		}
		val, err := parquetNode(s.ValueSchema, path+"{}")
		if err != nil {
			return nil, err
		}
		return parquet.Map(parquet.String(), val), nil
	}
	return nil, fmt.Errorf("%w: field %q has schema type %s, which has no Parquet type", ErrSchema, path, s.Type)
}

// parquetWriter writes the rows of one file.
type parquetWriter struct {
	w      *parquet.GenericWriter[any]
	schema *connectors.Schema
	row    []any
}

func (p *parquetWriter) Write(r *connectors.Record) error {
	st, ok := r.Value.(*connectors.Struct)
	if !ok {
		return fmt.Errorf("%w: ParquetFormat needs Struct values, got %T", ErrSchema, r.Value)
	}
	p.row[0] = structRow(st)
	_, err := p.w.Write(p.row)
	return err
}

func (p *parquetWriter) Close() error { return p.w.Close() }

func structRow(st *connectors.Struct) map[string]any {
	s := st.Schema()
	m := make(map[string]any, len(s.Fields))
	for i, f := range s.Fields {
		m[f.Name] = parquetValue(f.Schema, st.At(i))
	}
	return m
}

// parquetValue converts a Connect value to what the Parquet node expects.
func parquetValue(s *connectors.Schema, v any) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case *connectors.Struct:
		return structRow(x)
	case connectors.Decimal:
		return connectors.DecimalToBytes(x)
	case time.Time:
		switch s.Name {
		case connectors.DateName:
			d, _ := connectors.DateToDays(x)
			return d
		case connectors.TimeName:
			ms, _ := connectors.TimeToMillis(x)
			return ms
		}
		return x.UnixMilli()
	case int8:
		return int32(x)
	case int16:
		return int32(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = parquetValue(s.ValueSchema, e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = parquetValue(s.ValueSchema, e)
		}
		return out
	}
	return v
}
