package connectors

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors/internal/structtag"
)

// ConfigType is a Kafka ConfigDef type name, as shown by /config/validate.
type ConfigType string

// The ConfigDef types ferry declares.
const (
	ConfigString   ConfigType = "STRING"
	ConfigInt      ConfigType = "INT"
	ConfigLong     ConfigType = "LONG"
	ConfigShort    ConfigType = "SHORT"
	ConfigDouble   ConfigType = "DOUBLE"
	ConfigBoolean  ConfigType = "BOOLEAN"
	ConfigList     ConfigType = "LIST"
	ConfigClass    ConfigType = "CLASS"
	ConfigPassword ConfigType = "PASSWORD"
)

// ConfigKey is one declared configuration key, as Kafka's ConfigDef.ConfigKey.
// It comes from a struct field's tags:
//
//	config:"key.name"       the key, verbatim from Kafka Connect (required tag)
//	default:"value"         default; without it and without required, the default is null
//	required:"true"         no default: the key must be given
//	doc:"..."               documentation
//	importance:"high"       high|medium|low (default medium)
//	enum:"a,b"              allowed values, compared case-insensitively
//	min:"1" max:"10"        numeric bounds
//	type:"PASSWORD"         overrides the type inferred from the Go type (CLASS, PASSWORD)
//	group:"..." display:"..."
type ConfigKey struct {
	Name        string
	Type        ConfigType
	Default     string
	HasDefault  bool
	Required    bool
	Importance  string
	Doc         string
	Group       string
	DisplayName string
	Enum        []string
	Min, Max    *float64
	index       []int
}

// ConfigDef is the set of keys a component declares, built once per config struct type.
type ConfigDef struct {
	Keys   []ConfigKey
	byName map[string]int
	typ    reflect.Type
}

var defs sync.Map // reflect.Type -> *ConfigDef

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid configuration")

// ConfigError is one invalid or missing key, worded as Kafka's ConfigException.
type ConfigError struct {
	Key, Value, Reason string
	Missing            bool
	// Err, when set, is the cause callers test with errors.Is (ErrUnknownConverter).
	Err error
	// Warning marks a problem that does not refuse the config: the key is
	// accepted and has no effect (Kafka Connect accepts it, ferry cannot
	// honour it). /config/validate shows it on its key, not counted in
	// error_count, and the scheduler logs it.
	Warning bool
}

// Error is Kafka Connect's message for the missing or invalid key.
func (e *ConfigError) Error() string {
	if e.Missing {
		return fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", e.Key)
	}
	return fmt.Sprintf("Invalid value %s for configuration %s: %s", e.Value, e.Key, e.Reason)
}

// Unwrap makes errors.Is(err, ErrConfig) true, and errors.Is(err, e.Err).
func (e *ConfigError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrConfig, e.Err}
	}
	return []error{ErrConfig}
}

// ConfigErrors is every problem found in one config, in declaration order.
type ConfigErrors []*ConfigError

// Error is the errors' messages, one a line.
func (es ConfigErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap exposes the individual errors to errors.Is/As.
func (es ConfigErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Declare returns the ConfigDef of a config struct (or pointer to one), read
// from its field tags. It panics on malformed tags: those are programming errors.
func Declare(sample any) *ConfigDef {
	t := reflect.TypeOf(sample)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if d, ok := defs.Load(t); ok {
		return d.(*ConfigDef)
	}
	d := &ConfigDef{byName: map[string]int{}, typ: t}
	var buf [16]structtag.Pair
	for _, f := range structtag.VisibleFields(t) {
		if f.Anonymous {
			continue
		}
		tag := structtag.Parse(f.Tag, buf[:0]) // once: the doc makes each Lookup long
		name, ok := tag.Lookup("config")
		if !ok {
			continue
		}
		k := ConfigKey{Name: name, Type: inferType(tag.Get("type"), valueType(f.Type), f.Name), Doc: tag.Get("doc"), Group: tag.Get("group"),
			DisplayName: tag.Get("display"), Importance: strings.ToUpper(tag.Get("importance")), index: f.Index}
		if k.Importance == "" {
			k.Importance = "MEDIUM"
		}
		k.Default, k.HasDefault = tag.Lookup("default")
		k.Required = tag.Get("required") == "true"
		if e := tag.Get("enum"); e != "" {
			k.Enum = strings.Split(e, ",")
		}
		k.Min, k.Max = bound(tag.Get("min")), bound(tag.Get("max"))
		if _, dup := d.byName[name]; dup {
			panic(fmt.Sprintf("config key %q declared twice in %s", name, t))
		}
		d.byName[name] = len(d.Keys)
		d.Keys = append(d.Keys, k)
	}
	actual, _ := defs.LoadOrStore(t, d)
	return actual.(*ConfigDef)
}

func bound(s string) *float64 {
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("bad bound " + s)
	}
	return &v
}

func inferType(tag string, t reflect.Type, field string) ConfigType {
	if tag != "" {
		return ConfigType(tag)
	}
	switch t.Kind() {
	case reflect.String:
		return ConfigString
	case reflect.Bool:
		return ConfigBoolean
	case reflect.Int, reflect.Int32:
		return ConfigInt
	case reflect.Int64:
		return ConfigLong
	case reflect.Int16:
		return ConfigShort
	case reflect.Float64:
		return ConfigDouble
	case reflect.Slice:
		return ConfigList
	}
	panic(fmt.Sprintf("config field %s has unsupported type %s", field, t))
}

// Key returns the declared key by name.
func (d *ConfigDef) Key(name string) (ConfigKey, bool) {
	i, ok := d.byName[name]
	if !ok {
		return ConfigKey{}, false
	}
	return d.Keys[i], true
}

// Parse fills dst (a pointer to the declared struct) from props, applying
// defaults, and returns ConfigErrors naming every bad or missing key.
// Keys that are not declared are left alone: callers report them if they must.
func (d *ConfigDef) Parse(props map[string]string, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Type() != d.typ {
		panic(fmt.Sprintf("Parse: want *%s, got %T", d.typ, dst))
	}
	var errs ConfigErrors
	for _, k := range d.Keys {
		if err := k.assign(props, v.Elem().FieldByIndex(k.index)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (k ConfigKey) assign(props map[string]string, field reflect.Value) *ConfigError {
	raw, given := props[k.Name]
	if isOptional(field.Type()) {
		field.Field(1).SetBool(given)
		field = field.Field(0)
	}
	if !given {
		if k.Required {
			return &ConfigError{Key: k.Name, Missing: true}
		}
		if !k.HasDefault {
			return nil
		}
		raw = k.Default
	}
	return k.set(raw, field)
}

// Check validates one raw value for the key without storing it.
func (k ConfigKey) Check(raw string) error {
	var scratch reflect.Value
	switch k.Type {
	case ConfigList:
		scratch = reflect.New(reflect.TypeOf([]string(nil))).Elem()
	case ConfigInt:
		scratch = reflect.New(reflect.TypeOf(0)).Elem()
	case ConfigLong:
		scratch = reflect.New(reflect.TypeOf(int64(0))).Elem()
	case ConfigShort:
		scratch = reflect.New(reflect.TypeOf(int16(0))).Elem()
	case ConfigDouble:
		scratch = reflect.New(reflect.TypeOf(0.0)).Elem()
	case ConfigBoolean:
		scratch = reflect.New(reflect.TypeOf(false)).Elem()
	default:
		scratch = reflect.New(reflect.TypeOf("")).Elem()
	}
	if err := k.set(raw, scratch); err != nil {
		return err
	}
	return nil
}

func (k ConfigKey) set(raw string, field reflect.Value) *ConfigError {
	bad := func(reason string) *ConfigError { return &ConfigError{Key: k.Name, Value: raw, Reason: reason} }
	s := strings.TrimSpace(raw)
	switch field.Kind() {
	case reflect.String:
		if len(k.Enum) > 0 && !k.inEnum(s) {
			return bad("String must be one of: " + strings.Join(k.Enum, ", "))
		}
		field.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			field.SetBool(true)
		case "false":
			field.SetBool(false)
		default:
			return bad("Expected value to be either true or false")
		}
	case reflect.Int, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, k.bits(field))
		if err != nil {
			return bad(fmt.Sprintf("Not a number of type %s", k.Type))
		}
		if msg := k.outOfBounds(float64(n)); msg != "" {
			return bad(msg)
		}
		field.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad("Not a number of type DOUBLE")
		}
		if msg := k.outOfBounds(x); msg != "" {
			return bad(msg)
		}
		field.SetFloat(x)
	case reflect.Slice:
		field.Set(reflect.ValueOf(SplitList(s)))
	}
	return nil
}

// bits is the width of the key's Java type (INT 32, SHORT 16, LONG 64), so a
// value out of Java's range is "Not a number of type INT" whatever the Go field.
func (k ConfigKey) bits(field reflect.Value) int {
	switch k.Type {
	case ConfigInt:
		return 32
	case ConfigShort:
		return 16
	case ConfigLong:
		return 64
	}
	return field.Type().Bits()
}

func (k ConfigKey) inEnum(s string) bool {
	for _, e := range k.Enum {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func (k ConfigKey) outOfBounds(x float64) string {
	if k.Min != nil && x < *k.Min {
		return fmt.Sprintf("Value must be at least %v", *k.Min)
	}
	if k.Max != nil && x > *k.Max {
		return fmt.Sprintf("Value must be no more than %v", *k.Max)
	}
	return ""
}

// SplitList splits a Kafka LIST value: comma-separated, trimmed, empty means none.
func SplitList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return []string{}
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Undeclared returns the keys of props that d does not declare and that start
// with none of the allowed prefixes, sorted.
func (d *ConfigDef) Undeclared(props map[string]string, allowedPrefixes ...string) []string {
	var out []string
next:
	for key := range props {
		if _, ok := d.byName[key]; ok {
			continue
		}
		for _, p := range allowedPrefixes {
			if strings.HasPrefix(key, p) {
				continue next
			}
		}
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}
