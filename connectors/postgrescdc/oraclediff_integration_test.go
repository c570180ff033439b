//go:build integration

package postgrescdc_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Fields left out of the comparison: timing fields, and the fields that
// name the server or the connector instance (source.name is topic.prefix,
// which also names the schemas and is replaced by <prefix> everywhere).
var (
	timingFields = []string{"ts_ms", "ts_us", "ts_ns"}
	sourceSkip   = []string{"ts_ms", "ts_us", "ts_ns", "name"}
	// snapshotPosition are the source fields of a snapshot record that
	// name where its connector's snapshot began (its slot's LSN, its
	// snapshot transaction): compared as present or null only.
	snapshotPosition = []string{"lsn", "txId", "sequence"}
)

// normalized decodes a record's key or value, with prefix replaced by
// <prefix> and the skipped fields removed. A tombstone is nil.
func normalized(raw []byte, prefix string) (any, error) {
	if raw == nil {
		return nil, nil
	}
	text := strings.ReplaceAll(string(raw), `"`+prefix+`.`, `"<prefix>.`)
	text = strings.ReplaceAll(text, `"`+prefix+`"`, `"<prefix>"`)
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	p, _ := v.(map[string]any)["payload"].(map[string]any)
	if p == nil {
		return v, nil
	}
	if _, ok := p["op"]; !ok {
		return v, nil // a key
	}
	for _, f := range timingFields {
		delete(p, f)
	}
	if src, ok := p["source"].(map[string]any); ok {
		for _, f := range sourceSkip {
			delete(src, f)
		}
		if p["op"] == "r" {
			// Each connector snapshots at its own slot's position.
			for _, f := range snapshotPosition {
				if src[f] != nil {
					src[f] = "<snapshot position>"
				}
			}
		}
	}
	return v, nil
}

// diff appends a line per path where want (Debezium's) and got (ferry's) differ.
func diff(path string, want, got any, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				*out = append(*out, fmt.Sprintf("%s.%s: only ferry has it: %s", path, k, short(gv)))
			case !gok:
				*out = append(*out, fmt.Sprintf("%s.%s: only debezium has it: %s", path, k, short(wv)))
			default:
				diff(path+"."+k, wv, gv, out)
			}
		}
	case []any:
		g, ok := got.([]any)
		if ok && isFields(w) && isFields(g) {
			diff(path, byField(w), byField(g), out)
			if order(w) != order(g) {
				*out = append(*out, fmt.Sprintf("%s: field order: debezium %s, ferry %s", path, order(w), order(g)))
			}
			return
		}
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
			return
		}
		for i := range w {
			diff(fmt.Sprintf("%s[%s]", path, elemName(w[i], i)), w[i], g[i], out)
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) || (want == nil) != (got == nil) {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
		}
	}
}

// elemName names a list element by its "field" (schema fields) or index.
func elemName(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		if f, ok := m["field"].(string); ok {
			return f
		}
	}
	return fmt.Sprint(i)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// isFields reports whether l is a list of schema fields.
func isFields(l []any) bool {
	for _, v := range l {
		if m, ok := v.(map[string]any); !ok || m["field"] == nil {
			return false
		}
	}
	return len(l) > 0
}

// byField maps schema fields by name.
func byField(l []any) map[string]any {
	m := map[string]any{}
	for _, v := range l {
		m["["+v.(map[string]any)["field"].(string)+"]"] = v
	}
	return m
}

// order is the field names of l in order.
func order(l []any) string {
	var names []string
	for _, v := range l {
		names = append(names, v.(map[string]any)["field"].(string))
	}
	return strings.Join(names, ",")
}
