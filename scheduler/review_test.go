package scheduler

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

func TestReviewConfig(t *testing.T) {
	cat := testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")}
	tests := []struct {
		name    string
		config  map[string]string
		wantErr error
		check   func(t *testing.T, r Review)
	}{
		{name: "unknown class", config: map[string]string{"connector.class": "com.example.Nope"}, wantErr: connectors.ErrUnknownClass},
		{name: "no class", config: map[string]string{"name": "x"}, wantErr: connectors.ErrUnknownClass},
		{name: "clean", config: map[string]string{"connector.class": "FileStreamSource", "name": "x", "file": "/in", "topic": "t"},
			check: func(t *testing.T, r Review) {
				if r.Plugin == nil || len(r.Errors)+len(r.Ignored)+len(r.Unknown) != 0 {
					t.Fatalf("review = %+v, want the plugin and nothing to report", r)
				}
			}},
		{name: "typo, bad value, ferry-specific key", config: map[string]string{"connector.class": "FileStreamSource", "name": "x", "file": "/in", "topic": "t", "fle": "1", "tasks.max": "0"},
			check: func(t *testing.T, r Review) {
				if !reflect.DeepEqual(r.Unknown, []string{"fle"}) || len(r.Errors) != 1 || r.Errors[0].Key != "tasks.max" {
					t.Fatalf("review = %+v, want fle unknown and tasks.max refused", r)
				}
				if !slices.ContainsFunc(r.Differs, func(f Finding) bool { return f.Key == "file" && strings.Contains(f.Message, "ferry requires it") }) {
					t.Fatalf("differs = %+v, want file (its declaration says ferry requires it)", r.Differs)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReviewConfig(cat, nil, tt.config)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReviewConfig = %v, want %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}
