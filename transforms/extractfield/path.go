package extractfield

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// ParsePath splits a field path as Kafka's SingleFieldPath: V1 is one
// top-level name; V2 splits on dots, a segment wrapped in backticks may hold
// dots, a backslash escapes a backtick inside it, and a trailing dot adds an
// empty last segment.
func ParsePath(path, version string) ([]string, error) {
	if !strings.EqualFold(version, "V2") {
		return []string{path}, nil
	}
	var steps []string
	i := 0
	for i < len(path) {
		if path[i] != '`' {
			j := strings.IndexByte(path[i:], '.')
			if j < 0 {
				steps = append(steps, path[i:])
				i = len(path)
				break
			}
			steps = append(steps, path[i:i+j])
			i += j + 1
			continue
		}
		step, next, ok := quoted(path, i)
		if !ok {
			return nil, &connectors.ConfigError{Key: "field", Value: path, Reason: fmt.Sprintf(
				"Incomplete backtick pair in path: [%s], consider adding a backslash before backtick at position %d to escape it", path, i)}
		}
		steps = append(steps, step)
		i = next
	}
	if strings.HasSuffix(path, ".") {
		steps = append(steps, "")
	}
	if len(steps) == 0 {
		steps = []string{""}
	}
	return steps, nil
}

// quoted reads a backtick segment starting at path[start]: it ends at an
// unescaped backtick followed by a dot or the end of the path.
func quoted(path string, start int) (step string, next int, ok bool) {
	var b strings.Builder
	for i := start + 1; i < len(path); i++ {
		c := path[i]
		if c == '\\' && i+1 < len(path) && path[i+1] == '`' {
			b.WriteByte('`')
			i++
			continue
		}
		if c == '`' && (i+1 == len(path) || path[i+1] == '.') {
			if i+1 == len(path) {
				return b.String(), i + 1, true
			}
			return b.String(), i + 2, true
		}
		b.WriteByte(c)
	}
	return "", 0, false
}
