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
