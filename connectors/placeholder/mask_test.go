package placeholder

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

// TestMaskOf checks which resolved values a Mask hides.
func TestMaskOf(t *testing.T) {
	tests := []struct {
		name               string
		original, resolved map[string]string
		in, want           string
	}{
		{"whole value", map[string]string{"p": "${file:/s:pw}"}, map[string]string{"p": "hunter22"},
			"login failed for hunter22", "login failed for [hidden]"},
		{"inside a longer value", map[string]string{"u": "jdbc:pg://db/x?password=${env:PW}&ssl=1"},
			map[string]string{"u": "jdbc:pg://db/x?password=tops3cret&ssl=1"}, "bad url password=tops3cret", "bad url password=[hidden]"},
		{"two in one value", map[string]string{"t": "${env:A}-${env:B}"}, map[string]string{"t": "alpha-bravo"},
			"topic alpha-bravo", "topic [hidden]-[hidden]"},
		{"used as a file path", map[string]string{"file": "${file:/s:path}"}, map[string]string{"file": "/var/secret/out.txt"},
			"open /var/secret/out.txt: permission denied", "open [hidden]: permission denied"},
		{"too short to hide", map[string]string{"n": "${env:N}"}, map[string]string{"n": "1"}, "1 of 10", "1 of 10"},
		{"left as written", map[string]string{"n": "${vault:x:y}"}, map[string]string{"n": "${vault:x:y}"},
			"unresolved ${vault:x:y}", "unresolved ${vault:x:y}"},
		{"no placeholder", map[string]string{"a": "plain"}, map[string]string{"a": "plain"}, "plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskOf(tt.original, tt.resolved).String(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMaskErrorAndLogger checks that a masked error keeps its chain and that
// a masked logger hides values in the message and in attributes.
func TestMaskErrorAndLogger(t *testing.T) {
	m := MaskOf(map[string]string{"p": "${env:PW}"}, map[string]string{"p": "hunter22"})
	err := m.Error(&fs.PathError{Op: "open", Path: "hunter22", Err: fs.ErrPermission})
	if err.Error() != "open [hidden]: permission denied" || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("error %q, chain kept %v", err, errors.Is(err, fs.ErrPermission))
	}
	var buf bytes.Buffer
	log := m.Logger(slog.New(slog.NewTextHandler(&buf, nil))).With("conn", "pw=hunter22")
	log.Warn("retrying hunter22", "err", errors.New("auth hunter22"), slog.Group("g", "v", "hunter22"))
	if out := buf.String(); strings.Contains(out, "hunter22") || strings.Count(out, Masked) != 4 {
		t.Errorf("log line: %s", out)
	}
}
