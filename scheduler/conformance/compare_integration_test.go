//go:build integration

package conformance

import (
	"fmt"
	"slices"
	"strings"
)

// nullable are fields Kafka Connect fills with null or a value depending on
// the data (a default, a group, an offset); null matches any type there.
var nullable = []string{"default_value", "value", "group", "last_modified", "offset", "definition", "version"}

// ignored are fields whose presence depends on runtime state (a failure's
// trace), or that ferry adds deliberately (GET /'s ferry_version).
var ignored = []string{"trace", "ferry_version"}

// compareShapes compares JSON field names and types (not values).
func compareShapes(st step, a, b any) []string {
	if st.Keys == "ignore" {
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok {
			return compareValues("", firstValue(am, bm), firstValue(bm, am))
		}
	}
	return compareValues("", a, b)
}

// firstValue is m's value under the first key (sorted) that other also has,
// or else under m's first key.
func firstValue(m, other map[string]any) any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := other[k]; ok {
			return m[k]
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return m[keys[0]]
}

func compareValues(path string, a, b any) []string {
	if a == nil || b == nil {
		if a == nil && b == nil || slices.Contains(nullable, lastPart(path)) {
			return nil
		}
		return []string{fmt.Sprintf("%s: ferry %s, kafka-connect %s", orRoot(path), kind(a), kind(b))}
	}
	if kind(a) != kind(b) {
		return []string{fmt.Sprintf("%s: ferry %s, kafka-connect %s", orRoot(path), kind(a), kind(b))}
	}
	switch x := a.(type) {
	case map[string]any:
		y := b.(map[string]any)
		var out []string
		for _, k := range unionKeys(x, y) {
			if slices.Contains(ignored, k) {
				continue
			}
			xv, xok := x[k]
			yv, yok := y[k]
			if xok != yok {
				out = append(out, fmt.Sprintf("%s: field %q only on %s", orRoot(path), k, map[bool]string{true: "ferry", false: "kafka-connect"}[xok]))
				continue
			}
			out = append(out, compareValues(path+"."+k, xv, yv)...)
		}
		return out
	case []any:
		y := b.([]any)
		if len(x) > 0 && len(y) > 0 {
			return compareValues(path+"[0]", x[0], y[0])
		}
	}
	return nil
}

func unionKeys(a, b map[string]any) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

func lastPart(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

func orRoot(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
