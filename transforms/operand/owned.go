package operand

import (
	"reflect"

	"github.com/ferryhq/ferry/connectors"
)

// Owned says which parts of a record only the chain references: the record
// itself, and the top-level map or Struct of its key and of its value (built
// by an earlier stage). A stage may change an owned part in place; nested
// values are never owned.
type Owned struct{ Record, Key, Value bool }

// Owns reports whether the side's top-level map or Struct is owned.
func (s Side) Owns(o Owned) bool {
	if s == Key {
		return o.Key
	}
	return o.Value
}

// SameContainer reports whether a and b are the same map or Struct (or both null).
func SameContainer(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case *connectors.Struct:
		y, ok := b.(*connectors.Struct)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	}
	return false
}

// IsContainer reports whether v is a map or a Struct.
func IsContainer(v any) bool {
	switch v.(type) {
	case *connectors.Struct, map[string]any:
		return true
	}
	return false
}
