package open

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state/file"
)

func TestOpenFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := Open(context.Background(), "file:"+dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fs, ok := s.(*file.Store); !ok || fs.Dir() != dir {
		t.Fatalf("Open(file:%s) = %T, want *file.Store in %s", dir, s, dir)
	}
	if _, err := Open(context.Background(), "file:"+dir); !errors.Is(err, file.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open = %v, want ErrLocked naming the directory", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		spec      string
		want      error
		retriable bool
		notShown  string
	}{
		{spec: "", want: ErrUnknownSpec},
		{spec: "/var/lib/ferry", want: ErrUnknownSpec},
		{spec: "kafka", want: ErrNoKafka},
		{spec: "kafka:/broker", want: ErrUnknownSpec},
		{spec: "file:", want: ErrUnknownSpec},
		{spec: "http://user:secret@host/", want: ErrUnknownSpec, notShown: "secret"},
		{spec: "redis://user:hunter2@127.0.0.1:1/0", retriable: true, notShown: "hunter2"},
		{spec: "redis://127.0.0.1:6379/notanumber"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, tt.spec)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.spec)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Open(%q) = %v, want %v", tt.spec, err, tt.want)
			}
			var r *connectors.RetriableError
			if errors.As(err, &r) != tt.retriable {
				t.Fatalf("Open(%q) = %v, retriable should be %v", tt.spec, err, tt.retriable)
			}
			if tt.notShown != "" && strings.Contains(err.Error(), tt.notShown) {
				t.Fatalf("error %q shows the password", err)
			}
			if tt.spec != "" && tt.notShown == "" && !strings.Contains(err.Error(), tt.spec) {
				t.Fatalf("error %q does not name the spec %q", err, tt.spec)
			}
		})
	}
}
