package configprovider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
)

// Env is Kafka's EnvVarConfigProvider: ${env:NAME} reads an environment
// variable of the process running the function.
type Env struct{ allow *regexp.Regexp }

// NewEnv builds an Env provider; param allowlist.pattern (a regular
// expression, default: every variable) restricts the names it may read.
func NewEnv(params map[string]string) (Provider, error) {
	pattern := params["allowlist.pattern"]
	if pattern == "" {
		pattern = ".*"
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil, fmt.Errorf("allowlist.pattern: %w", err)
	}
	return &Env{allow: re}, nil
}

// Get returns the allowed, set variables among keys; path must be empty.
func (e *Env) Get(_ context.Context, path string, keys []string) (map[string]string, error) {
	if path != "" {
		return nil, errors.New("the env provider takes no path: write ${env:NAME}")
	}
	out := map[string]string{}
	for _, k := range keys {
		if !e.allow.MatchString(k) {
			continue
		}
		if v, ok := os.LookupEnv(k); ok {
			out[k] = v
		}
	}
	return out, nil
}
