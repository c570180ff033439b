package connectors

import "reflect"

// Optional is a declared field that also tells whether its key was given,
// for components whose behaviour differs between "not set" and "set to the
// default" (Kafka's ConfigDef leaves such keys without a default and tests
// for null). Declare infers the key's type from T:
//
//	Replacement connectors.Optional[string] `config:"replacement"`
//	...
//	if c.Replacement.Set { use(c.Replacement.Value) }
type Optional[T any] struct {
	// Value is the parsed value, or the default when the key was not given.
	Value T
	// Set is true when the key was given, whatever its value.
	Set bool
}

// optional marks Optional types for Declare and Parse.
func (Optional[T]) optional() {}

var optionalMarker = reflect.TypeOf((*interface{ optional() })(nil)).Elem()

// isOptional tells whether t is an Optional[T].
func isOptional(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Implements(optionalMarker)
}

// valueType is the type a field's value is parsed into: T for Optional[T].
func valueType(t reflect.Type) reflect.Type {
	if isOptional(t) {
		return t.Field(0).Type
	}
	return t
}
