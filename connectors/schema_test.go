package connectors

import (
	"errors"
	"testing"
)

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Type
		ok   bool
	}{{"INT8", TypeInt8, true}, {"int64", TypeInt64, true}, {"Struct", TypeStruct, true}, {"float", 0, false}, {"", 0, false}} {
		got, err := ParseType(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseType(%q) = %v, %v", tc.in, got, err)
		}
	}
	if TypeFloat64.String() != "FLOAT64" || Type(99).String() != "Type(99)" || !TypeBytes.IsPrimitive() || TypeArray.IsPrimitive() {
		t.Error("Type.String/IsPrimitive")
	}
}

func TestSchemaBuilder(t *testing.T) {
	cases := []struct {
		name string
		b    *SchemaBuilder
		err  bool
	}{
		{"struct", StructBuilder().Field("a", Int32Schema).Field("b", OptionalStringSchema), false},
		{"duplicate field", StructBuilder().Field("a", Int32Schema).Field("a", Int64Schema), true},
		{"field on non-struct", NewSchemaBuilder(TypeInt32).Field("a", Int32Schema), true},
		{"good default", NewSchemaBuilder(TypeInt32).DefaultValue(int32(3)), false},
		{"bad default", NewSchemaBuilder(TypeInt32).DefaultValue("x"), true},
		{"decimal", DecimalSchema(2), false},
	}
	for _, tc := range cases {
		_, err := tc.b.Build()
		if (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrSchemaBuild)) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestFieldLookup(t *testing.T) {
	b := StructBuilder()
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	for _, n := range names {
		b.Field(n, Int8Schema)
	}
	small := StructBuilder().Field("x", Int8Schema).MustBuild()
	for _, s := range []*Schema{b.MustBuild(), small} {
		for i, f := range s.Fields {
			if got := s.Field(f.Name); got == nil || got.Index != i {
				t.Errorf("Field(%s) = %v", f.Name, got)
			}
		}
		if s.Field("nope") != nil {
			t.Error("Field(nope) found")
		}
	}
}

func TestEqual(t *testing.T) {
	base := func() *SchemaBuilder {
		return StructBuilder().Name("n").Version(1).Doc("d").Parameter("p", "v").Field("a", Int32Schema)
	}
	a := base().MustBuild()
	cases := []struct {
		name string
		b    *Schema
		want bool
	}{
		{"same", base().MustBuild(), true},
		{"optional", base().Optional().MustBuild(), false},
		{"name", base().Name("m").MustBuild(), false},
		{"version", base().Version(2).MustBuild(), false},
		{"doc", base().Doc("x").MustBuild(), false},
		{"param", base().Parameter("p", "w").MustBuild(), false},
		{"field", base().Field("b", Int8Schema).MustBuild(), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		if got := Equal(a, tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v", tc.name, got)
		}
	}
	m1 := MapOf(StringSchema, Int32Schema).MustBuild()
	m2 := MapOf(StringSchema, Int64Schema).MustBuild()
	if Equal(m1, m2) || !Equal(m1, MapOf(StringSchema, Int32Schema).MustBuild()) {
		t.Error("map schema equality")
	}
	if got := DecimalSchema(2).Parameter("a", "1").MustBuild().SortedParameterKeys(); len(got) != 2 || got[0] != "a" {
		t.Errorf("SortedParameterKeys = %v", got)
	}
}
