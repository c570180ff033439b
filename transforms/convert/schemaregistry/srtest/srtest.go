// Package srtest holds what the Schema Registry converters' tests share: the
// Connect type matrix every converter must round-trip, and the in-process
// stand-in registry for the no-services unit tests.
package srtest

import (
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"
	"math/big"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Case is one Connect schema and value of the type matrix.
type Case struct {
	Name   string
	Schema *connectors.Schema
	Value  any
}

// Dec is a Decimal of unscaled × 10^-scale.
func Dec(unscaled int64, scale int32) connectors.Decimal {
	return connectors.Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// Matrix covers every Connect type, optional and required, logical types,
// defaults, nested structs, arrays and both map representations.
func Matrix() []Case {
	ts := time.UnixMilli(1700000000123).UTC()
	day := connectors.DaysToDate(19000)
	tod := connectors.MillisToTime(45296789)
	inner := connectors.StructBuilder().Name("com.example.Inner").
		Field("id", connectors.Int32Schema).
		Field("tag", connectors.OptionalStringSchema).MustBuild()
	anon := connectors.StructBuilder().Field("x", connectors.Int64Schema).MustBuild()
	i8def := connectors.NewSchemaBuilder(connectors.TypeInt8).DefaultValue(int8(2)).Doc("int8 field").MustBuild()
	strdef := connectors.NewSchemaBuilder(connectors.TypeString).Optional().DefaultValue("dflt").MustBuild()
	decSchema := connectors.DecimalSchema(2).MustBuild()
	decPrec := connectors.DecimalSchema(3).Parameter("connect.decimal.precision", "10").Optional().MustBuild()
	intMap := connectors.MapOf(connectors.Int32Schema, connectors.StringSchema).MustBuild()
	strMap := connectors.MapOf(connectors.StringSchema, connectors.OptionalInt64Schema).MustBuild()
	arr := connectors.ArrayOf(connectors.OptionalFloat64Schema).MustBuild()
	all := connectors.StructBuilder().Name("com.example.All").Version(3).Doc("every type").
		Field("i8", i8def).
		Field("i16", connectors.Int16Schema).
		Field("i32", connectors.OptionalInt32Schema).
		Field("i64", connectors.Int64Schema).
		Field("f32", connectors.Float32Schema).
		Field("f64", connectors.Float64Schema).
		Field("b", connectors.BooleanSchema).
		Field("s", strdef).
		Field("bytes", connectors.OptionalBytesSchema).
		Field("dec", decSchema).
		Field("decp", decPrec).
		Field("date", connectors.DateSchema().MustBuild()).
		Field("time", connectors.TimeSchema().Optional().MustBuild()).
		Field("ts", connectors.TimestampSchema().MustBuild()).
		Field("arr", arr).
		Field("smap", strMap).
		Field("imap", intMap).
		Field("inner", inner).
		Field("anon", anon).
		Field("oinner", connectors.StructBuilder().Name("com.example.Opt").Optional().Field("z", connectors.BooleanSchema).MustBuild()).
		MustBuild()
	allValue := connectors.NewStruct(all).
		MustPut("i8", int8(-5)).MustPut("i16", int16(300)).MustPut("i32", nil).MustPut("i64", int64(-1)<<40).
		MustPut("f32", float32(1.5)).MustPut("f64", 2.25).MustPut("b", true).MustPut("s", "héllo <&>").
		MustPut("bytes", []byte{0, 1, 255}).MustPut("dec", Dec(-12345, 2)).MustPut("decp", nil).
		MustPut("date", day).MustPut("time", tod).MustPut("ts", ts).
		MustPut("arr", []any{1.0, nil, -0.5}).
		MustPut("smap", map[string]any{"b": int64(2), "a": nil}).
		MustPut("imap", connectors.MapEntries{{Key: int32(7), Value: "seven"}, {Key: int32(-1), Value: "minus"}}).
		MustPut("inner", connectors.NewStruct(inner).MustPut("id", int32(42)).MustPut("tag", "t")).
		MustPut("anon", connectors.NewStruct(anon).MustPut("x", int64(9))).
		MustPut("oinner", nil)
	nested := connectors.StructBuilder().
		Field("a", connectors.ArrayOf(inner).MustBuild()).
		Field("m", connectors.MapOf(connectors.StringSchema, anon).Optional().MustBuild()).MustBuild()
	nestedValue := connectors.NewStruct(nested).
		MustPut("a", []any{connectors.NewStruct(inner).MustPut("id", int32(1)), connectors.NewStruct(inner).MustPut("id", int32(2)).MustPut("tag", "")}).
		MustPut("m", map[string]any{"k": connectors.NewStruct(anon).MustPut("x", int64(0))})
	return []Case{
		{"int8", connectors.Int8Schema, int8(-128)},
		{"int16", connectors.Int16Schema, int16(32767)},
		{"int32", connectors.Int32Schema, int32(-2147483648)},
		{"int64", connectors.Int64Schema, int64(9007199254740993)},
		{"float32", connectors.Float32Schema, float32(-0.1)},
		{"float64", connectors.Float64Schema, 1e300},
		{"boolean", connectors.BooleanSchema, false},
		{"string", connectors.StringSchema, "snow ☃"},
		{"bytes", connectors.BytesSchema, []byte("raw")},
		{"optional string", connectors.OptionalStringSchema, "x"},
		{"optional int64 null default", connectors.NewSchemaBuilder(connectors.TypeInt64).Optional().DefaultValue(int64(5)).MustBuild(), int64(6)},
		{"decimal", decSchema, Dec(128, 2)},
		{"decimal negative", decSchema, Dec(-128, 2)},
		{"date", connectors.DateSchema().MustBuild(), day},
		{"time", connectors.TimeSchema().MustBuild(), tod},
		{"timestamp", connectors.TimestampSchema().MustBuild(), ts},
		{"array", arr, []any{}},
		{"map string keys", strMap, map[string]any{"z": int64(1), "y": int64(2)}},
		{"map int keys", intMap, connectors.MapEntries{{Key: int32(1), Value: "one"}}},
		{"named map", connectors.MapOf(connectors.Int64Schema, connectors.Int64Schema).Name("com.example.Counts").MustBuild(),
			connectors.MapEntries{{Key: int64(1), Value: int64(2)}}},
		{"struct all types", all, allValue},
		{"nested", nested, nestedValue},
		{"struct inner", inner, connectors.NewStruct(inner).MustPut("id", int32(0))},
	}
}

// StandIn starts franz-go's srfake, an in-process stand-in for a Schema
// Registry implementing Confluent's REST API. Only the no-services unit tests
// use it; the integration tests use the real registry that
// `localstack/up schema-registry` starts (SCHEMA_REGISTRY_URL).
func StandIn(t testing.TB) *srfake.Registry {
	reg := srfake.New()
	t.Cleanup(reg.Close)
	return reg
}
