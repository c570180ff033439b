package postgrescdc

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// arrayElem maps the array types ferry captures to their element types.
var arrayElem = map[uint32]uint32{
	1000: oidBool, 1005: oidInt2, 1007: oidInt4, 1016: oidInt8, 1021: oidFloat4, 1022: oidFloat8,
	1009: oidText, 1015: oidVarchar, 1014: oidBPChar, 2951: oidUUID, 1182: oidDate, 1185: oidTimestamptz,
}

// arrayColumn maps a one-dimensional array as Debezium does: an ARRAY of
// the element's schema (its elements optional), parsed from the array's
// text form. It returns nil for an array of a type ferry does not map.
func arrayColumn(c *column, cfg *Config) *connectors.SchemaBuilder {
	elemOID, ok := arrayElem[c.oid]
	if !ok {
		return nil
	}
	elem := &column{name: c.name, oid: elemOID, typmod: c.typmod, nullable: true}
	mapColumn(elem, cfg)
	if elem.schema == nil {
		return nil
	}
	c.conv = func(s string) (any, error) {
		items, err := splitArray(s)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			if it == nil {
				continue
			}
			if out[i], err = elem.conv(*it); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return connectors.ArrayOf(elem.schema)
}

// splitArray reads PostgreSQL's text form of a one-dimensional array
// ({1,NULL,"a \"b\""}): elements, nil for NULL.
func splitArray(s string) ([]*string, error) {
	if i := strings.Index(s, "="); strings.HasPrefix(s, "[") && i > 0 {
		s = s[i+1:] // explicit bounds, [0:2]={...}
	}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("array %q: not {…}", s)
	}
	body := s[1 : len(s)-1]
	var out []*string
	for i := 0; i < len(body); {
		var b strings.Builder
		quoted := body[i] == '"'
		if body[i] == '{' {
			return nil, fmt.Errorf("array %q: multidimensional arrays are not supported", s)
		}
		if quoted {
			i++
			for ; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
			}
			i++ // closing quote
		} else {
			for ; i < len(body) && body[i] != ','; i++ {
				b.WriteByte(body[i])
			}
		}
		v := b.String()
		if !quoted && v == "NULL" {
			out = append(out, nil)
		} else {
			out = append(out, &v)
		}
		if i < len(body) && body[i] == ',' {
			i++
		}
	}
	return out, nil
}
