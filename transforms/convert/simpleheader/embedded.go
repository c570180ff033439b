package simpleheader

import (
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// parser reads the embedded values of a [..] or {..} header text.
type parser struct {
	s     string
	pos   int
	depth int
}

func (p *parser) ws() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *parser) consume(c byte) bool {
	p.ws()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// value reads one embedded value; a nil schema with no error is a null.
func (p *parser) value() (*connectors.Schema, any, error) {
	p.ws()
	if p.pos >= len(p.s) {
		return nil, nil, errParse
	}
	switch p.s[p.pos] {
	case '[':
		return p.array()
	case '{':
		return p.mapValue()
	case '"':
		s, err := p.quoted()
		return connectors.StringSchema, s, err
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(",]}:", rune(p.s[p.pos])) {
		p.pos++
	}
	tok := strings.TrimSpace(p.s[start:p.pos])
	switch tok {
	case "null":
		return nil, nil, nil
	case "true":
		return connectors.BooleanSchema, true, nil
	case "false":
		return connectors.BooleanSchema, false, nil
	case "":
		return nil, nil, errParse
	}
	if sch, v, ok := scalar(tok); ok {
		return sch, v, nil
	}
	return nil, nil, errParse
}

// quoted reads a "..." string whose \" and \\ are escaped, as Values writes them.
func (p *parser) quoted() (string, error) {
	var b strings.Builder
	for p.pos++; p.pos < len(p.s); p.pos++ {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			p.pos++
			b.WriteByte(p.s[p.pos])
		default:
			b.WriteByte(c)
		}
	}
	return "", errParse
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > 100 {
		return errParse
	}
	return nil
}

func (p *parser) array() (*connectors.Schema, any, error) {
	p.pos++
	if err := p.enter(); err != nil {
		return nil, nil, err
	}
	var elems []typed
	for first := true; !p.consume(']'); first = false {
		if !first && !p.consume(',') {
			return nil, nil, errParse
		}
		s, v, err := p.value()
		if err != nil {
			return nil, nil, err
		}
		elems = append(elems, typed{s, v})
	}
	p.depth--
	elem, vals, ok := common(elems)
	if !ok {
		return nil, nil, errParse
	}
	return connectors.ArrayOf(elem).MustBuild(), vals, nil
}

func (p *parser) mapValue() (*connectors.Schema, any, error) {
	p.pos++
	if err := p.enter(); err != nil {
		return nil, nil, err
	}
	var keys, vals []typed
	for first := true; !p.consume('}'); first = false {
		if !first && !p.consume(',') {
			return nil, nil, errParse
		}
		ks, kv, err := p.value()
		if err != nil || ks == nil || !p.consume(':') {
			return nil, nil, errParse
		}
		vs, vv, err := p.value()
		if err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, typed{ks, kv}), append(vals, typed{vs, vv})
	}
	p.depth--
	kSchema, kv, ok1 := common(keys)
	vSchema, vv, ok2 := common(vals)
	if !ok1 || !ok2 {
		return nil, nil, errParse
	}
	schema := connectors.MapOf(kSchema, vSchema).MustBuild()
	if kSchema.Type == connectors.TypeString {
		m := make(map[string]any, len(kv))
		for i, k := range kv {
			m[k.(string)] = vv[i]
		}
		return schema, m, nil
	}
	m := make(connectors.MapEntries, len(kv))
	for i := range kv {
		m[i] = connectors.MapEntry{Key: kv[i], Value: vv[i]}
	}
	return schema, m, nil
}
