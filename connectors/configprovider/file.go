package configprovider

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File is Kafka's FileConfigProvider: ${file:/path/to/file.properties:key}
// reads key from a Java properties file.
type File struct{ allowed []string }

// NewFile builds a File provider; param allowed.paths (comma-separated
// directories) restricts which files it may read.
func NewFile(params map[string]string) (Provider, error) {
	return &File{allowed: allowedPaths(params)}, nil
}

// Get reads the properties file at path and returns the requested keys.
func (f *File) Get(_ context.Context, path string, keys []string) (map[string]string, error) {
	if err := checkAllowed(path, f.allowed); err != nil {
		return nil, err
	}
	props, err := readProperties(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := props[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// readProperties reads key=value, key: value and "key value" lines, with #
// and ! comments and backslash line continuations; values are not unescaped
// beyond that.
func readProperties(path string) (map[string]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading properties file: %w", err)
	}
	defer fh.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var pending string
	for sc.Scan() {
		line := pending + strings.TrimLeft(sc.Text(), " \t\f")
		pending = ""
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		if strings.HasSuffix(line, `\`) && !strings.HasSuffix(line, `\\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		i := strings.IndexAny(line, "=: \t")
		if i < 0 {
			out[line] = ""
			continue
		}
		key, rest := line[:i], strings.TrimLeft(line[i:], " \t")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = strings.TrimLeft(rest[1:], " \t")
		}
		out[key] = rest
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading properties file: %w", err)
	}
	return out, nil
}

// allowedPaths reads the allowed.paths parameter (empty: any path).
func allowedPaths(params map[string]string) []string {
	var out []string
	for _, p := range strings.Split(params["allowed.paths"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

// checkAllowed refuses paths outside the allowed directories.
func checkAllowed(path string, allowed []string) error {
	if len(allowed) == 0 {
		return nil
	}
	clean := filepath.Clean(path)
	for _, a := range allowed {
		if clean == a || strings.HasPrefix(clean, a+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("path is not allowed: add its directory to the provider's allowed.paths (%s)", strings.Join(allowed, ","))
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
