package wasm

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		key   string // the key the error names; "" for no error
	}{
		{"no module", map[string]string{}, "module"},
		{"blank module", map[string]string{"module": " "}, "module"},
		{"bad sha", map[string]string{"module": "m.wasm", "module.sha256": "abc"}, "module.sha256"},
		{"timeout zero", map[string]string{"module": "m.wasm", "timeout.ms": "0"}, "timeout.ms"},
		{"memory too big", map[string]string{"module": "m.wasm", "memory.max.mb": "5000"}, "memory.max.mb"},
		{"module keys", map[string]string{"module": "m.wasm", "config.b": "2", "config.a": "x\"y"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parse(c.props)
			if c.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := string(cfg.moduleConf); got != `{"a":"x\"y","b":"2"}` {
					t.Errorf("module config %s", got)
				}
				return
			}
			var ce *connectors.ConfigError
			var ces connectors.ConfigErrors
			switch {
			case errors.As(err, &ce) && ce.Key == c.key:
			case errors.As(err, &ces) && ces[0].Key == c.key:
			default:
				t.Fatalf("got %v, want an error naming %s", err, c.key)
			}
		})
	}
}

func TestLoadS3URLShape(t *testing.T) {
	for _, u := range []string{"s3://", "s3://bucket", "s3://bucket/"} {
		_, err := load(t.Context(), &Config{Module: u})
		if err == nil || !strings.Contains(err.Error(), "s3://bucket/key") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
