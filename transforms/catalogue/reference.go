package catalogue

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Generated is the first line of every generated page.
const Generated = "<!-- Generated from the config declarations by `make docs`; do not edit. -->"

// Pages renders the config reference, one Markdown page per plugin class
// (file name to content), an index (README.md) and the framework keys every
// source and sink connector has. Everything comes from the declarations.
func (c *Catalogue) Pages() map[string]string {
	pages := map[string]string{}
	var index strings.Builder
	index.WriteString(Generated + "\n\n# Plugin configuration reference\n\n")
	index.WriteString("Every key each plugin declares, from the same declarations that drive defaults, " +
		"validation and `/config/validate`. Keys every connector has: [source connectors](framework-source.md), " +
		"[sink connectors](framework-sink.md).\n\n| class | type | page |\n|---|---|---|\n")
	pages["framework-source.md"] = page("Framework keys of every source connector", nil, connectors.SourceConnectorConfig{}, "")
	pages["framework-sink.md"] = page("Framework keys of every sink connector", nil, connectors.SinkConnectorConfig{}, "")
	for _, p := range c.registry.Plugins() {
		name := fileName(p.Class)
		facts := []string{"type: " + string(p.Type)}
		if len(p.Aliases) > 0 {
			facts = append(facts, "aliases: `"+strings.Join(p.Aliases, "`, `")+"`")
		}
		link := fmt.Sprintf("Framework keys: [%s connectors](framework-%s.md).", p.Type, p.Type)
		pages[name] = page(p.Class, facts, p.Config, link)
		fmt.Fprintf(&index, "| `%s` | %s | [%s](%s) |\n", p.Class, p.Type, name, name)
	}
	byClass := map[string][]connectors.Component{}
	var classes []string
	for _, comp := range c.components {
		if _, seen := byClass[comp.Class]; !seen {
			classes = append(classes, comp.Class)
		}
		byClass[comp.Class] = append(byClass[comp.Class], comp)
	}
	slices.Sort(classes)
	for _, class := range classes {
		comps := byClass[class]
		var types []string
		for _, comp := range comps {
			types = append(types, string(comp.Type))
		}
		facts := []string{"type: " + strings.Join(types, ", ")}
		if len(comps[0].Aliases) > 0 {
			facts = append(facts, "aliases: `"+strings.Join(comps[0].Aliases, "`, `")+"`")
		}
		name := fileName(class)
		pages[name] = page(class, facts, comps[0].Config, "")
		fmt.Fprintf(&index, "| `%s` | %s | [%s](%s) |\n", class, strings.Join(types, ", "), name, name)
	}
	pages["README.md"] = index.String()
	return pages
}

// fileName is a class's page: its simple name, $ (a Key/Value variant) as -.
func fileName(class string) string {
	simple := class[strings.LastIndexByte(class, '.')+1:]
	return strings.ReplaceAll(simple, "$", "-") + ".md"
}

// page renders one plugin's keys as a table.
func page(title string, facts []string, config any, footer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n# %s\n\n", Generated, title)
	for _, f := range facts {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	if len(facts) > 0 {
		b.WriteString("\n")
	}
	var keys []connectors.ConfigKey
	if config != nil {
		keys = connectors.Declare(config).Keys
	}
	if len(keys) == 0 {
		b.WriteString("No configuration keys of its own.\n")
	} else {
		b.WriteString("| key | type | default | valid values | importance | description |\n|---|---|---|---|---|---|\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", k.Name, k.Type, defaultOf(k), validOf(k),
				strings.ToLower(k.Importance), cell(k.Doc))
		}
	}
	if footer != "" {
		fmt.Fprintf(&b, "\n%s\n", footer)
	}
	return b.String()
}

func defaultOf(k connectors.ConfigKey) string {
	switch {
	case k.Required:
		return "required"
	case !k.HasDefault:
		return "null"
	case k.Default == "":
		return `""`
	}
	return "`" + cell(k.Default) + "`"
}

func validOf(k connectors.ConfigKey) string {
	switch {
	case len(k.Enum) > 0:
		return "`" + strings.Join(k.Enum, "`, `") + "`"
	case k.Min != nil && k.Max != nil:
		return fmt.Sprintf("[%v, %v]", *k.Min, *k.Max)
	case k.Min != nil:
		return fmt.Sprintf("[%v, ...]", *k.Min)
	case k.Max != nil:
		return fmt.Sprintf("[..., %v]", *k.Max)
	}
	return ""
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
