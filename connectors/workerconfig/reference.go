package workerconfig

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// groupTitles name the declaration's groups in the generated reference.
var groupTitles = map[string]string{
	"Kafka": "Kafka", "Converters": "Converters and config providers", "REST": "REST listener",
	"NATS": "NATS", "Runtime": "Runtime", "Lambda": "Lambda",
}

// Reference is the worker configuration reference in Markdown, generated
// from the declaration (docs/configuration.md holds it; `make docs` rewrites it).
func Reference() string {
	var b strings.Builder
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		g := t.Field(i)
		fmt.Fprintf(&b, "### %s\n\n| key | flag / environment | type | default | what |\n|---|---|---|---|---|\n", groupTitles[g.Name])
		for j := 0; j < g.Type.NumField(); j++ {
			k, _ := Definition().Key(g.Type.Field(j).Tag.Get("config"))
			def := "—"
			if k.HasDefault && k.Default != "" {
				def = "`" + k.Default + "`"
			}
			flag := FlagName(k)
			fmt.Fprintf(&b, "| `%s` | `--%s`, `%s` | %s | %s | %s |\n", k.Name, flag, EnvName(flag), k.Type, def,
				strings.NewReplacer("|", `\|`, "<", "&lt;").Replace(k.Doc))
		}
		b.WriteString("\n")
	}
	b.WriteString("### Keys that do not apply to ferry\n\nLogged once at start as ignored, with the reason:\n\n| key | why |\n|---|---|\n")
	for _, k := range sortedKeys(ignored) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", k, ignored[k])
	}
	for _, p := range sortedKeys(ignoredPrefixes) {
		fmt.Fprintf(&b, "| `%s*` | %s |\n", p, ignoredPrefixes[p])
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
