// Package regexrouter is Kafka Connect's RegexRouter: when a regular
// expression matches the whole topic, the topic becomes the replacement
// (with $1-style group references).
//
// Patterns are Go RE2 expressions: Java-only constructs (backreferences,
// lookaround) are rejected at configuration time.
package regexrouter

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
	"github.com/ferryhq/ferry/transforms/topicnamematches"
)

// Config is RegexRouter's configuration, key names as Kafka Connect's.
type Config struct {
	Regex       string `config:"regex" required:"true" importance:"high" doc:"Regular expression to use for matching."`
	Replacement string `config:"replacement" required:"true" importance:"high" doc:"Replacement string."`
}

// Transform is one configured RegexRouter.
type Transform struct {
	whole, first *regexp.Regexp
	template     string
}

// New configures RegexRouter.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	whole, err := topicnamematches.Compile(c.Regex)
	if err != nil {
		return nil, &connectors.ConfigError{Key: "regex", Value: c.Regex, Reason: "Invalid regex: " + err.Error()}
	}
	first := regexp.MustCompile(c.Regex)
	if reason := checkReplacement(c.Replacement, first); reason != "" {
		return nil, &connectors.ConfigError{Key: "replacement", Value: c.Replacement, Reason: reason}
	}
	return &Transform{whole: whole, first: first, template: goTemplate(c.Replacement)}, nil
}

// checkReplacement applies, at configuration time, the rules Java's
// Matcher.appendReplacement applies to every record: a group reference
// ($2, ${name}) must name a group of the regex, and $ must start one. Kafka
// Connect fails each record otherwise; ferry refuses the config and says why.
func checkReplacement(repl string, re *regexp.Regexp) string {
	for i := 0; i < len(repl); i++ {
		switch {
		case repl[i] == '\\':
			i++
		case repl[i] != '$':
		case i+1 == len(repl):
			return "Illegal group reference: group index is missing at the end; write \\$ for a literal $"
		case repl[i+1] == '{':
			end := strings.IndexByte(repl[i:], '}')
			if end < 0 {
				return "named capturing group is missing trailing '}' in " + repl[i:]
			}
			name := repl[i+2 : i+end]
			if re.SubexpIndex(name) < 0 {
				return fmt.Sprintf("refers to group ${%s}, which regex %q does not define (Java: No group with name {%s}); "+
					"a replacement can only use the regex's groups, write \\$ for a literal $", name, re.String(), name)
			}
			i += end
		case repl[i+1] >= '0' && repl[i+1] <= '9':
			if n := int(repl[i+1] - '0'); n > re.NumSubexp() {
				return fmt.Sprintf("refers to group $%d, but regex %q has %d group(s) (Java: No group %d)", n, re.String(), re.NumSubexp(), n)
			}
			i++
		default:
			return fmt.Sprintf("Illegal group reference at %q: $ must be followed by a group number or {name}; write \\$ for a literal $", repl[i:])
		}
	}
	return ""
}

// goTemplate turns a Java replacement ($1, ${name}, \$ escapes) into a Go Expand template.
func goTemplate(java string) string {
	var b strings.Builder
	for i := 0; i < len(java); i++ {
		c := java[i]
		switch {
		case c == '\\' && i+1 < len(java):
			i++
			if java[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(java[i])
			}
		case c == '$' && i+1 < len(java) && java[i+1] >= '0' && java[i+1] <= '9':
			j := i + 1
			for j < len(java) && java[j] >= '0' && java[j] <= '9' {
				j++
			}
			b.WriteString("${" + java[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Apply routes the record when the regex matches its whole topic.
func (t *Transform) apply(r *connectors.Record, owned bool) (*connectors.Record, error) {
	if !t.whole.MatchString(r.Topic) {
		return r, nil
	}
	m := t.first.FindStringSubmatchIndex(r.Topic)
	topic := string(t.first.ExpandString(nil, t.template, r.Topic, m))
	c := r
	if !owned {
		c = r.Clone()
	}
	c.Topic = r.Topic[:m[0]] + topic + r.Topic[m[1]:]
	return c, nil
}

// ApplyInPlace is Apply for a record only the chain references: it is changed instead of copied.
func (t *Transform) ApplyInPlace(r *connectors.Record, own operand.Owned) (*connectors.Record, error) {
	return t.apply(r, own.Record)
}

// Apply runs the transformation on r, which it does not change.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) { return t.apply(r, false) }
