package connectors

import (
	"errors"
	"strings"
	"testing"
)

func TestStruct(t *testing.T) {
	s := StructBuilder().Field("id", Int64Schema).
		Field("n", NewSchemaBuilder(TypeInt32).DefaultValue(int32(7)).MustBuild()).
		Field("s", OptionalStringSchema).MustBuild()
	st := NewStruct(s)
	if err := st.Put("id", "x"); !errors.Is(err, ErrData) {
		t.Errorf("Put wrong type err = %v", err)
	}
	if err := st.Put("nope", int64(1)); err == nil || !strings.Contains(err.Error(), "nope is not a valid field name") {
		t.Errorf("Put unknown err = %v", err)
	}
	if err := st.Validate(); err == nil || !strings.Contains(err.Error(), `"id"`) {
		t.Errorf("Validate missing id err = %v", err)
	}
	st.MustPut("id", int64(5))
	if err := st.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	if v, _ := st.Get("n"); v != int32(7) {
		t.Errorf("Get default = %v", v)
	}
	if v, _ := st.GetRaw("n"); v != nil {
		t.Errorf("GetRaw = %v", v)
	}
	if _, err := st.Get("nope"); err == nil {
		t.Error("Get unknown")
	}
	st.Set(2, "x")
	if st.At(2) != "x" || st.Schema() != s {
		t.Error("Set/At/Schema")
	}
	if got := st.String(); got != "Struct{id=5,s=x}" {
		t.Errorf("String = %s", got)
	}
	cp := NewStruct(s).MustPut("id", int64(5)).MustPut("s", "x")
	if !st.Equal(cp) || st.Equal(NewStruct(s)) || st.Equal(nil) {
		t.Error("Equal")
	}
}

// schemaOf returns a STRUCT schema of n optional string fields f0, f1, ...
func schemaOf(n int) *Schema {
	b := StructBuilder()
	for i := 0; i < n; i++ {
		b.Field("f"+strings.Repeat("x", i), OptionalStringSchema)
	}
	return b.MustBuild()
}

func TestNewStructSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 14, 15, 16, 17, 33, 63, 64, 65, 100} {
		st := NewStruct(schemaOf(n))
		if len(st.values) != n {
			t.Fatalf("NewStruct(%d fields): %d values", n, len(st.values))
		}
		for i := range st.values {
			st.Set(i, "v")
		}
		if allocs := testing.AllocsPerRun(10, func() { NewStruct(schemaOf(n)) }) - testing.AllocsPerRun(10, func() { schemaOf(n) }); n <= 64 && allocs != 1 {
			t.Errorf("NewStruct(%d fields): %v allocations, want 1", n, allocs)
		}
	}
}

func TestReshape(t *testing.T) {
	tests := []struct {
		name     string
		from, to int
		set      []any // values of the first fields before Reshape
		want     []any
	}{
		{"same count", 3, 3, []any{"a", "b", "c"}, []any{"a", "b", "c"}},
		{"shrink drops the tail", 4, 2, []any{"a", "b", "c", "d"}, []any{"a", "b"}},
		{"grow within the block: new fields null", 3, 4, []any{"a", "b", "c"}, []any{"a", "b", "c", nil}},
		{"grow past the block", 2, 20, []any{"a", "b"}, append([]any{"a", "b"}, make([]any, 18)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := NewStruct(schemaOf(tt.from))
			for i, v := range tt.set {
				st.Set(i, v)
			}
			to := schemaOf(tt.to)
			st.Reshape(to)
			if st.Schema() != to || len(st.values) != len(tt.want) {
				t.Fatalf("after Reshape: schema %p (want %p), %d values", st.Schema(), to, len(st.values))
			}
			for i, w := range tt.want {
				if st.At(i) != w {
					t.Errorf("value %d = %v, want %v", i, st.At(i), w)
				}
			}
		})
	}
	t.Run("shrink then grow: dropped values do not come back", func(t *testing.T) {
		st := NewStruct(schemaOf(4))
		for i := 0; i < 4; i++ {
			st.Set(i, "v")
		}
		st.Reshape(schemaOf(1))
		st.Reshape(schemaOf(4))
		for i := 1; i < 4; i++ {
			if st.At(i) != nil {
				t.Errorf("value %d = %v after shrink and grow, want null", i, st.At(i))
			}
		}
	})
}

// TestStructSlab: structs cut from one block are independent, each holds
// exactly its schema's fields, and blocks are replaced when used up.
func TestStructSlab(t *testing.T) {
	small := StructBuilder().Field("a", Int32Schema).MustBuild()
	wide := StructBuilder().Field("a", Int32Schema).Field("b", StringSchema).Field("c", Int64Schema).MustBuild()
	var sl StructSlab
	var all []*Struct
	for i := range 3 * slabStructs {
		s := small
		if i%2 == 1 {
			s = wide
		}
		st := sl.New(s)
		if err := st.Put("a", int32(i)); err != nil {
			t.Fatal(err)
		}
		all = append(all, st)
	}
	for i, st := range all {
		if got := st.At(0); got != int32(i) {
			t.Fatalf("struct %d: a = %v, want %d (structs share values)", i, got, i)
		}
		if got := cap(st.values); got != len(st.schema.Fields) {
			t.Fatalf("struct %d: %d value slots, want %d", i, got, len(st.schema.Fields))
		}
	}
}
