package stringconv

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// anyString renders containers and dates as Java's toString does:
// ArrayList "[a, b]", HashMap "{k=v, k2=v2}" (keys sorted: HashMap order is not
// reproducible), Date "Thu Jan 01 00:00:00 UTC 1970" (UTC).
func anyString(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = elemString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + elemString(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case connectors.MapEntries:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = elemString(e.Key) + "=" + elemString(e.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case time.Time:
		return x.UTC().Format("Mon Jan 02 15:04:05 MST 2006")
	}
	return fmt.Sprint(v)
}

func elemString(v any) string {
	if v == nil {
		return "null"
	}
	return toString(v)
}
