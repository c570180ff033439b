package kafkaclient

import (
	"fmt"
	"strings"
)

// The login modules ferry reads from sasl.jaas.config, by Kafka's class names.
const (
	PlainLoginModule       = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule       = "org.apache.kafka.common.security.scram.ScramLoginModule"
	OAuthBearerLoginModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
	IAMLoginModule         = "software.amazon.msk.auth.iam.IAMLoginModule"
)

// maxJAAS bounds the sasl.jaas.config value read.
const maxJAAS = 64 << 10

// JAAS is one parsed sasl.jaas.config entry: `Module flag key="value" ...;`.
type JAAS struct {
	// Module is the login module's class name.
	Module string
	// Flag is required, requisite, sufficient or optional.
	Flag string
	// Options are the module's key=value options, quotes removed.
	Options map[string]string
}

// ParseJAAS parses a sasl.jaas.config value as Kafka does: exactly one login
// module, a control flag, options as key=value with values quoted ("..." or '...' with
// backslash escapes) or bare, and a closing semicolon.
func ParseJAAS(s string) (JAAS, error) {
	if len(s) > maxJAAS {
		return JAAS{}, fmt.Errorf("sasl.jaas.config is %d bytes, more than %d", len(s), maxJAAS)
	}
	toks, err := jaasTokens(s)
	if err != nil {
		return JAAS{}, err
	}
	if len(toks) < 3 || toks[len(toks)-1] != ";" {
		return JAAS{}, fmt.Errorf("sasl.jaas.config %q: want `LoginModuleClass required key=\"value\" ...;`", redactJAAS(s))
	}
	j := JAAS{Module: toks[0], Flag: toks[1], Options: map[string]string{}}
	switch j.Flag {
	case "required", "requisite", "sufficient", "optional":
	default:
		return JAAS{}, fmt.Errorf("sasl.jaas.config: control flag %q of %s is not required, requisite, sufficient or optional", j.Flag, j.Module)
	}
	rest := toks[2 : len(toks)-1]
	for i := 0; i < len(rest); i += 3 {
		if i+2 >= len(rest) || rest[i+1] != "=" || rest[i] == "=" || rest[i] == ";" {
			return JAAS{}, fmt.Errorf("sasl.jaas.config: options of %s must be key=value pairs; only one login module is allowed", j.Module)
		}
		j.Options[rest[i]] = rest[i+2]
	}
	return j, nil
}

// jaasTokens splits s into words, quoted strings, "=" and ";".
func jaasTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '=' || c == ';':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			v, n, err := jaasQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, v)
			i += n
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n=;\"'", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

// jaasQuoted reads the quoted string ("..." or '...') at the start of s; it
// returns the value and the bytes consumed.
func jaasQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case s[0]:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("sasl.jaas.config: a quoted value is not closed")
}

// redactJAAS keeps the module name of a JAAS line and hides its options,
// which hold secrets.
func redactJAAS(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0] + " ..."
	}
	return ""
}
