package connectors

import (
	"errors"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := NewRegistry(
		Plugin{Class: "org.example.file.FileStreamSourceConnector", Type: TypeSource, Aliases: []string{"file-source"}},
		Plugin{Class: "io.example.AConnector", Type: TypeSink},
	)
	for _, name := range []string{"org.example.file.FileStreamSourceConnector", "FileStreamSourceConnector", "FileStreamSource", "file-source", " file-source "} {
		p, err := r.Lookup(name)
		if err != nil || p.Class != "org.example.file.FileStreamSourceConnector" {
			t.Errorf("Lookup(%q) = %v, %v", name, p, err)
		}
	}
	_, err := r.Lookup("Nope")
	if !errors.Is(err, ErrUnknownClass) || !strings.Contains(err.Error(), "io.example.AConnector, org.example.file.FileStreamSourceConnector") {
		t.Errorf("unknown err = %v", err)
	}
	if ps := r.Plugins(); len(ps) != 2 || ps[0].Class != "io.example.AConnector" {
		t.Errorf("Plugins not sorted: %v", ps)
	}
}
