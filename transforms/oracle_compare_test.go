package transforms_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
)

// sameResult compares a ferry output line with Kafka Connect's: the same
// record, the same drop, or a failure at the same stage of the same class.
// It also returns both error messages.
func sameResult(got, want []byte) (same bool, g, w map[string]any, gm, wm any) {
	g, w = normalize(got), normalize(want)
	gm, wm = g["error"], w["error"]
	if javaCannotPrint(w) && g["error"] == nil && (foreignLogical(g["value_schema"]) || foreignLogical(g["key_schema"])) {
		return true, g, w, gm, wm
	}
	delete(g, "error")
	delete(w, "error")
	delete(w, "exception")
	return reflect.DeepEqual(g, w), g, w, gm, wm
}

// javaCannotPrint tells whether the Java harness's record line failed on a
// record the chain produced whose schema keeps a logical name on another
// type (a whole-value Cast of a Decimal or Timestamp): Kafka Connect's
// JsonConverter refuses to encode it, while ferry's record line prints it,
// so there is no Java line to compare with.
func javaCannotPrint(w map[string]any) bool {
	msg, _ := w["error"].(string)
	return w["stage"] == "converter" && w["class"] == "record line" && strings.Contains(msg, "Invalid type for ")
}

// foreignLogical tells whether a schema JSON keeps a logical type's name on another type.
func foreignLogical(schema any) bool {
	m, _ := schema.(map[string]any)
	base := map[string]string{"org.apache.kafka.connect.data.Decimal": "bytes", "org.apache.kafka.connect.data.Date": "int32",
		"org.apache.kafka.connect.data.Time": "int32", "org.apache.kafka.connect.data.Timestamp": "int64"}
	name, _ := m["name"].(string)
	t, ok := base[name]
	return ok && m["type"] != t
}

// diffKeys shows the top-level keys whose values differ.
func diffKeys(g, w map[string]any) string {
	var b strings.Builder
	for _, k := range []string{"null", "stage", "class", "topic", "partition", "offset", "timestamp", "key", "key_schema", "value", "value_schema", "headers"} {
		if !reflect.DeepEqual(g[k], w[k]) {
			gj, _ := json.Marshal(g[k])
			wj, _ := json.Marshal(w[k])
			fmt.Fprintf(&b, "   %s:\n     ferry: %.600s\n      java: %.600s\n", k, gj, wj)
		}
	}
	return b.String()
}

// normalize parses a line; numbers become exact rationals so 1.0E10 and
// 10000000000 compare equal. A dropped record is {"null": true}.
func normalize(line []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return map[string]any{"unparseable": string(line)}
	}
	if v == nil {
		return map[string]any{"null": true}
	}
	m, ok := canonical(v).(map[string]any)
	if !ok {
		return map[string]any{"not an object": string(line)}
	}
	return m
}

func canonical(v any) any {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return string(x)
		}
		return "#" + r.RatString()
	case []any:
		for i := range x {
			x[i] = canonical(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = canonical(x[k])
		}
	}
	return v
}

func describe(cfg map[string]string) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s ", strings.TrimPrefix(k, "transforms."), strings.TrimPrefix(cfg[k], "org.apache.kafka.connect.transforms."))
	}
	return strings.TrimSpace(b.String())
}
