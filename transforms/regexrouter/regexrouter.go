// Package regexrouter is Kafka Connect's RegexRouter: when a regular
// expression matches the whole topic, the topic becomes the replacement
// (with $1-style group references).
//
// Patterns are Go RE2 expressions: Java-only constructs (backreferences,
// lookaround) are rejected at configuration time.
package regexrouter

import (
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
	return &Transform{whole: whole, first: regexp.MustCompile(c.Regex), template: goTemplate(c.Replacement)}, nil
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
