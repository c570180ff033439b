package structtag

import (
	"reflect"
	"slices"
	"strings"
)

// VisibleFields is reflect.VisibleFields, the same fields in the same
// order, without its map of every field's name when no name repeats and no
// struct is embedded through a pointer (a config declaration: its groups
// embedded by value); otherwise it is reflect.VisibleFields.
func VisibleFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	if !walk(t, nil, &out) || repeats(out) {
		return reflect.VisibleFields(t)
	}
	return out
}

// walk appends t's fields depth first, each embedded struct's fields right
// after it, as reflect.VisibleFields orders them; false for a struct
// embedded through a pointer.
func walk(t reflect.Type, index []int, out *[]reflect.StructField) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if len(index) > 0 {
			f.Index = append(slices.Clip(index), i)
		}
		*out = append(*out, f)
		if !f.Anonymous {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Pointer:
			if f.Type.Elem().Kind() == reflect.Struct {
				return false
			}
		case reflect.Struct:
			if !walk(f.Type, f.Index, out) {
				return false
			}
		}
	}
	return true
}

// repeats reports whether two fields share a name (one may hide the other).
func repeats(fields []reflect.StructField) bool {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	slices.SortFunc(names, strings.Compare)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return true
		}
	}
	return false
}
