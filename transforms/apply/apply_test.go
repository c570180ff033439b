package apply

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestGolden(t *testing.T) {
	tests := []struct {
		name          string
		input, output string
		failed        bool
	}{
		{"records", "records", "records", true},
		{"drop", "records", "records", false},
		{"bytes", "bytes", "records", true},
		{"bytes", "bytes", "bytes", true},
		// A whole-value Cast leaves the logical name on a string schema, as
		// Kafka Connect's does; the record line shows it (regression: refused).
		{"logical", "records", "records", false},
	}
	for _, tt := range tests {
		golden := filepath.Join("testdata", tt.name+"."+tt.input+"-"+tt.output+".golden.jsonl")
		t.Run(filepath.Base(golden), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tt.name+".in.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err = Main(context.Background(), []string{"apply", "--config", filepath.Join("testdata", tt.name+".config.json"),
				"--input", tt.input, "--output", tt.output}, bytes.NewReader(in), &out)
			if got := errors.Is(err, ErrLinesFailed); got != tt.failed || (err != nil && !got) {
				t.Fatalf("err = %v, want failed=%v", err, tt.failed)
			}
			if n, m := bytes.Count(in, []byte("\n")), bytes.Count(out.Bytes(), []byte("\n")); n != m {
				t.Fatalf("%d input lines gave %d output lines", n, m)
			}
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s:\n got: %s\nwant: %s", golden, out.Bytes(), want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"run"}, {"apply"}, {"apply", "--config", "testdata/drop.config.json", "--input", "xml"}} {
		if err := Main(context.Background(), args, nil, nil); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"transforms":"a","transforms.a.type":"Nope"}`), 0o644)
	if err := Main(context.Background(), []string{"apply", "--config", bad}, nil, nil); err == nil ||
		!bytes.Contains([]byte(err.Error()), []byte("transforms.a.type")) {
		t.Errorf("unknown transform: %v", err)
	}
}
