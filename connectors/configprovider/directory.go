package configprovider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Directory is Kafka's DirectoryConfigProvider: ${directory:/dir:name}
// reads the file name directly inside dir (Kubernetes secret volumes).
type Directory struct{ allowed []string }

// NewDirectory builds a Directory provider; param allowed.paths restricts
// the directories it may read.
func NewDirectory(params map[string]string) (Provider, error) {
	return &Directory{allowed: allowedPaths(params)}, nil
}

// Get reads each key as a regular file directly in the directory path.
func (d *Directory) Get(_ context.Context, path string, keys []string) (map[string]string, error) {
	if err := checkAllowed(path, d.allowed); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	out := map[string]string{}
	for _, k := range keys {
		if k == "" || strings.ContainsAny(k, `/\`) || k == "." || k == ".." {
			continue
		}
		file := filepath.Join(path, k)
		st, err := os.Stat(file)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", k, err)
		}
		out[k] = string(b)
	}
	return out, nil
}
