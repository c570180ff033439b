package avsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// MaxSchemaBytes bounds the schema text Parse accepts.
const MaxSchemaBytes = 4 << 20

// maxDepth bounds the nesting of a schema.
const maxDepth = 256

// Parse parses an Avro schema from its JSON text. Names are checked as the
// specification (and Avro's Java parser) requires, field defaults against
// their types; a logical type a schema cannot carry is ignored.
func Parse(text string) (Schema, error) {
	if len(text) > MaxSchemaBytes {
		return nil, fmt.Errorf("avro: schema of %d bytes is over the %d-byte limit", len(text), MaxSchemaBytes)
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		v = text // a bare type name, as Avro's parsers accept
	} else if d.More() {
		return nil, errors.New("avro: schema text has data after the JSON value")
	}
	p := &parser{named: map[string]NamedSchema{}}
	return p.parse("", v, 0)
}

// parser holds the named types defined so far, by full name and alias.
type parser struct {
	named map[string]NamedSchema
}

func (p *parser) parse(ns string, v any, depth int) (Schema, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("avro: schema nested deeper than %d", maxDepth)
	}
	switch v := v.(type) {
	case nil:
		return &PrimitiveSchema{typ: Null}, nil
	case string:
		return p.byName(ns, v)
	case []any:
		return p.union(ns, v, depth)
	case map[string]any:
		return p.complex(ns, v, depth)
	}
	return nil, fmt.Errorf("avro: unknown type: %v", v)
}

func isPrimitive(t Type) bool {
	switch t {
	case Null, Boolean, Int, Long, Float, Double, Bytes, String:
		return true
	}
	return false
}

// byName resolves a type name: a primitive or a named type defined before.
func (p *parser) byName(ns, n string) (Schema, error) {
	if isPrimitive(Type(n)) {
		return &PrimitiveSchema{typ: Type(n)}, nil
	}
	if s, ok := p.named[fullName(ns, n)]; ok {
		return &RefSchema{actual: s}, nil
	}
	if s, ok := p.named[n]; ok {
		return &RefSchema{actual: s}, nil
	}
	return nil, fmt.Errorf("avro: unknown type: %s", n)
}

func (p *parser) union(ns string, v []any, depth int) (Schema, error) {
	u := &UnionSchema{types: make([]Schema, len(v))}
	seen := map[string]bool{}
	for i, t := range v {
		s, err := p.parse(ns, t, depth+1)
		if err != nil {
			return nil, err
		}
		if s.Type() == Union {
			return nil, errors.New("avro: union type cannot be a union")
		}
		key := string(s.Type())
		if n, ok := deref(s).(NamedSchema); ok {
			key = n.FullName()
		}
		if seen[key] {
			return nil, fmt.Errorf("avro: union type %s is duplicate", key)
		}
		seen[key] = true
		u.types[i] = s
	}
	return u, nil
}

func (p *parser) complex(ns string, m map[string]any, depth int) (Schema, error) {
	if ts, ok := m["type"].([]any); ok {
		return p.union(ns, ts, depth)
	}
	t, ok := m["type"].(string)
	if !ok {
		return nil, fmt.Errorf("avro: unknown type: %v", m)
	}
	switch typ := Type(t); typ {
	case Record, Error:
		return p.record(ns, m, depth)
	case Enum:
		return p.enum(ns, m)
	case Array:
		items, ok := m["items"]
		if !ok {
			return nil, errors.New("avro: array must have an items key")
		}
		s, err := p.parse(ns, items, depth+1)
		if err != nil {
			return nil, err
		}
		return &ArraySchema{props: m, items: s}, nil
	case Map:
		values, ok := m["values"]
		if !ok {
			return nil, errors.New("avro: map must have a values key")
		}
		s, err := p.parse(ns, values, depth+1)
		if err != nil {
			return nil, err
		}
		return &MapSchema{props: m, values: s}, nil
	case Fixed:
		return p.fixed(ns, m)
	default:
		if isPrimitive(typ) {
			return &PrimitiveSchema{props: m, typ: typ, logical: primitiveLogicalType(typ, m)}, nil
		}
		return p.byName(ns, t)
	}
}

// primitiveLogicalType is the logical type m names, nil when typ cannot carry it.
func primitiveLogicalType(typ Type, m map[string]any) LogicalSchema {
	lt, _ := m["logicalType"].(string)
	switch l := LogicalType(lt); {
	case typ == String && l == UUID, typ == Int && (l == Date || l == TimeMillis),
		typ == Long && (l == TimeMicros || l == TimestampMillis || l == TimestampMicros || l == LocalTimestampMillis || l == LocalTimestampMicros):
		return primitiveLogical(l)
	case typ == Bytes && l == Decimal:
		return decimal(-1, m)
	}
	return nil
}

// decimal is the decimal logical type of m, nil when its precision and
// scale are invalid (for a fixed of size bytes, size > 0).
func decimal(size int, m map[string]any) LogicalSchema {
	prec, ok1 := intAttr(m["precision"])
	scale, ok2 := intAttr(m["scale"])
	if _, has := m["scale"]; !has {
		scale, ok2 = 0, true
	}
	if !ok1 || !ok2 || prec <= 0 || scale < 0 || scale > prec {
		return nil
	}
	if size > 0 && prec > int(math.Floor(math.Log10(math.Pow(2, 8*float64(size))-1))) {
		return nil
	}
	return &DecimalLogicalSchema{precision: prec, scale: scale}
}

// intAttr reads a JSON integer attribute.
func intAttr(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
		return 0, false
	}
	return int(i), true
}

// define checks and registers a named type's name (and aliases).
func (p *parser) define(ns string, m map[string]any, s NamedSchema) error {
	if _, dup := p.named[s.FullName()]; dup {
		return fmt.Errorf("avro: redefined named type: %s", s.FullName())
	}
	p.named[s.FullName()] = s
	aliases, _ := m["aliases"].([]any)
	for _, a := range aliases {
		as, ok := a.(string)
		if !ok || checkFullName(as) != nil {
			return fmt.Errorf("avro: invalid alias %v of %s", a, s.FullName())
		}
		p.named[fullName(ns, as)] = s
	}
	return nil
}

// typeName is the name of the named type m, in namespace ns.
func typeName(ns string, m map[string]any) (name, string, error) {
	n, _ := m["name"].(string)
	if n == "" {
		return name{}, "", errors.New("avro: non-empty name key required")
	}
	if own, ok := m["namespace"].(string); ok && own != "" {
		ns = own
	} else if ok {
		ns = ""
	}
	full := fullName(ns, n)
	if err := checkFullName(full); err != nil {
		return name{}, "", err
	}
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return name{simple: full[i+1:], full: full}, full[:i], nil
	}
	return name{simple: full, full: full}, "", nil
}

func (p *parser) record(ns string, m map[string]any, depth int) (Schema, error) {
	n, own, err := typeName(ns, m)
	if err != nil {
		return nil, err
	}
	raw, ok := m["fields"].([]any)
	if !ok {
		return nil, errors.New("avro: record must have an array of fields")
	}
	doc, _ := m["doc"].(string)
	rec := &RecordSchema{props: m, name: n, doc: doc}
	if err := p.define(own, m, rec); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, rf := range raw {
		fm, ok := rf.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("avro: field of %s is not an object: %v", n.full, rf)
		}
		f, err := p.field(own, fm, depth)
		if err != nil {
			return nil, err
		}
		if seen[f.name] {
			return nil, fmt.Errorf("avro: duplicate field name %q", f.name)
		}
		seen[f.name] = true
		rec.fields = append(rec.fields, f)
	}
	return rec, nil
}

func (p *parser) field(ns string, m map[string]any, depth int) (*Field, error) {
	n, _ := m["name"].(string)
	if err := checkName(n); err != nil {
		return nil, err
	}
	raw, ok := m["type"]
	if !ok {
		return nil, errors.New("avro: field requires a type")
	}
	t, err := p.parse(ns, raw, depth+1)
	if err != nil {
		return nil, err
	}
	doc, _ := m["doc"].(string)
	f := &Field{props: m, name: n, doc: doc, typ: t}
	if def, has := m["default"]; has {
		if f.def, ok = defaultFor(t, def); !ok {
			return nil, fmt.Errorf("avro: invalid default for field %s. %v not a %s", n, def, t.Type())
		}
		f.hasDef = true
	}
	return f, nil
}

func (p *parser) enum(ns string, m map[string]any) (Schema, error) {
	n, own, err := typeName(ns, m)
	if err != nil {
		return nil, err
	}
	raw, _ := m["symbols"].([]any)
	doc, _ := m["doc"].(string)
	e := &EnumSchema{props: m, name: n, doc: doc}
	seen := map[string]bool{}
	for _, r := range raw {
		s, _ := r.(string)
		if err := checkName(s); err != nil {
			return nil, fmt.Errorf("avro: enum %s symbol: %w", n.full, err)
		}
		if seen[s] {
			return nil, fmt.Errorf("avro: enum %s has the symbol %s twice", n.full, s)
		}
		seen[s] = true
		e.symbols = append(e.symbols, s)
	}
	if len(e.symbols) == 0 {
		return nil, fmt.Errorf("avro: enum %s must have a non-empty array of symbols", n.full)
	}
	if def, has := m["default"]; has {
		if s, ok := def.(string); !ok || !seen[s] {
			return nil, fmt.Errorf("avro: enum %s default %v is not one of its symbols", n.full, def)
		}
	}
	if err := p.define(own, m, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) fixed(ns string, m map[string]any) (Schema, error) {
	n, own, err := typeName(ns, m)
	if err != nil {
		return nil, err
	}
	size, ok := intAttr(m["size"])
	if !ok || size < 0 {
		return nil, fmt.Errorf("avro: fixed %s must have a size", n.full)
	}
	f := &FixedSchema{props: m, name: n, size: size}
	switch lt, _ := m["logicalType"].(string); LogicalType(lt) {
	case Decimal:
		f.logical = decimal(size, m)
	case Duration:
		if size == 12 {
			f.logical = primitiveLogical(Duration)
		}
	}
	if err := p.define(own, m, f); err != nil {
		return nil, err
	}
	return f, nil
}

// fullName is n in namespace ns (n itself when it has a dot).
func fullName(ns, n string) string {
	if ns == "" || strings.ContainsRune(n, '.') {
		return n
	}
	return ns + "." + n
}

// checkFullName checks each dot-separated part of a full name.
func checkFullName(full string) error {
	for part := range strings.SplitSeq(full, ".") {
		if err := checkName(part); err != nil {
			return fmt.Errorf("%w in %q", err, full)
		}
	}
	return nil
}

// checkName checks a simple name: [A-Za-z_][A-Za-z0-9_]*.
func checkName(n string) error {
	if n == "" {
		return errors.New("avro: name must be non-empty")
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return fmt.Errorf("avro: invalid name %q: want [A-Za-z_][A-Za-z0-9_]*", n)
		}
	}
	return nil
}
