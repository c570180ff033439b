package connectors

import (
	"errors"
	"strings"
	"testing"
)

type checkedConfig struct {
	Lo int `config:"lo" default:"1"`
	Hi int `config:"hi" default:"2"`
}

func (c *checkedConfig) Check() error {
	if c.Lo > c.Hi {
		return ConfigErrors{{Key: "lo", Value: "lo", Reason: "must not exceed hi"}}
	}
	return nil
}

func TestParseChecked(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		bad   string
	}{
		{nil, ""},
		{map[string]string{"lo": "x"}, "lo"},
		{map[string]string{"lo": "5"}, "lo"},
	} {
		var cfg checkedConfig
		err := ParseChecked("demo", tc.props, &cfg)
		var ce *ConfigError
		switch {
		case tc.bad == "" && err != nil:
			t.Fatal(err)
		case tc.bad != "" && (!errors.As(err, &ce) || ce.Key != tc.bad || !strings.HasPrefix(err.Error(), "demo config: ")):
			t.Fatalf("%v: got %v, want an error on %s", tc.props, err, tc.bad)
		}
	}
}
