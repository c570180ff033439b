// Package structtag reads a struct field's tag in one pass. A config
// declaration's tags are long (the doc text) and each
// reflect.StructTag.Lookup scans the tag from its start, so reading a dozen
// keys of every field of the worker configuration cost a Lambda function's
// start about a tenth of a millisecond; Parse scans each tag once.
package structtag

import (
	"reflect"
	"strconv"
)

// Tag is a parsed struct tag: its key:"value" pairs in order.
type Tag []Pair

// Pair is one key:"value" of a tag, the value unquoted; Bad marks a value
// that is not a valid Go string literal (Lookup finds nothing for its key).
type Pair struct {
	Key, Value string
	Bad        bool
}

// Parse appends the pairs of tag to dst, with reflect.StructTag.Lookup's
// grammar (conventional key:"value" pairs separated by spaces); it stops at
// the first malformed pair, where Lookup stops too. Values without escapes
// share tag's memory: with room in dst, Parse does not allocate.
func Parse(tag reflect.StructTag, dst Tag) Tag {
	out := dst
	s := string(tag)
	for s != "" {
		i := 0
		for i < len(s) && s[i] == ' ' { // skip leading space
			i++
		}
		s = s[i:]
		if s == "" {
			break
		}
		i = 0 // the key: non-control characters other than space, quote and colon
		for i < len(s) && s[i] > ' ' && s[i] != ':' && s[i] != '"' && s[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(s) || s[i] != ':' || s[i+1] != '"' {
			break
		}
		name := s[:i]
		s = s[i+1:]
		i = 1 // the quoted value
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(s) {
			break
		}
		value, err := strconv.Unquote(s[:i+1])
		out = append(out, Pair{name, value, err != nil})
		s = s[i+1:]
	}
	return out
}

// Lookup is reflect.StructTag.Lookup on the parsed tag: the value of the
// first pair named key.
func (t Tag) Lookup(key string) (string, bool) {
	for _, p := range t {
		if p.Key == key {
			return p.Value, !p.Bad
		}
	}
	return "", false
}

// Get is reflect.StructTag.Get: the value of key, "" when absent.
func (t Tag) Get(key string) string {
	v, _ := t.Lookup(key)
	return v
}
