// Package topicnamematches is Kafka Connect's TopicNameMatches predicate:
// true when the whole topic name matches a regular expression.
//
// Patterns are Go RE2 expressions: Java-only constructs (backreferences,
// lookaround, possessive quantifiers) are rejected at configuration time.
package topicnamematches

import (
	"regexp"

	"github.com/ferryhq/ferry/connectors"
)

// Config is TopicNameMatches' configuration, key names as Kafka Connect's.
type Config struct {
	Pattern string `config:"pattern" required:"true" importance:"medium" doc:"A Java regular expression for matching against the name of a record's topic."`
}

// Predicate is one configured TopicNameMatches.
type Predicate struct{ re *regexp.Regexp }

// New configures TopicNameMatches.
func New(props map[string]string) (*Predicate, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if c.Pattern == "" {
		return nil, &connectors.ConfigError{Key: "pattern", Value: "", Reason: "String must be non-empty"}
	}
	re, err := Compile(c.Pattern)
	if err != nil {
		return nil, &connectors.ConfigError{Key: "pattern", Value: c.Pattern, Reason: "Invalid regex: " + err.Error()}
	}
	return &Predicate{re: re}, nil
}

// Compile compiles a pattern that must match a whole string (Matcher.matches).
func Compile(pattern string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, err
	}
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

// Test reports whether the topic matches the whole pattern.
func (p *Predicate) Test(r *connectors.Record) bool { return p.re.MatchString(r.Topic) }
