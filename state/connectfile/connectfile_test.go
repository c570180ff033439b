package connectfile

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// render prints what the decoder read, one line per entry.
func render(entries []Entry) string {
	var b strings.Builder
	conns, skipped := Offsets(entries)
	for _, e := range entries {
		fmt.Fprintf(&b, "entry %s => %s\n", e.Key, nullable(e.Value))
	}
	for _, c := range conns {
		for _, e := range c.Entries {
			k, _ := state.OffsetKey(c.Name, e.Partition)
			v, _ := state.OffsetValue(e.Offset)
			fmt.Fprintf(&b, "connector %s partition %s offset %s\n", c.Name, k, nullable(v))
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(&b, "skipped %s: %s\n", s.Key, s.Reason)
	}
	return b.String()
}

func nullable(v []byte) string {
	if v == nil {
		return "null"
	}
	return string(v)
}

func TestDecodeGolden(t *testing.T) {
	for _, name := range []string{"two-connectors", "one-reset"} {
		t.Run(name, func(t *testing.T) {
			entries, err := Read(filepath.Join("testdata", name+".offsets"))
			if err != nil {
				t.Fatal(err)
			}
			got := render(entries)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("decoded:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestDecodeEmpty(t *testing.T) {
	entries, err := Decode(nil)
	if err != nil || len(entries) != 0 {
		t.Fatalf("Decode(empty) = %v, %v; want no entries, as connect-standalone reads a new file", entries, err)
	}
}

// TestDecodeTruncated cuts the real file at every length: each prefix fails
// with ErrFormat, never panics, never returns entries.
func TestDecodeTruncated(t *testing.T) {
	b, err := os.ReadFile("testdata/one-reset.offsets")
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n < len(b); n++ {
		if entries, err := Decode(b[:n]); !errors.Is(err, ErrFormat) || entries != nil {
			t.Fatalf("Decode(first %d bytes) = %d entries, %v; want ErrFormat", n, len(entries), err)
		}
	}
}

func TestDecodeBad(t *testing.T) {
	good, err := os.ReadFile("testdata/two-connectors.offsets")
	if err != nil {
		t.Fatal(err)
	}
	patch := func(old, new string) []byte {
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	sizeAt := bytes.Index(good, []byte{tcBlockData, 8}) + 6 // the 4-byte entry count
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"text file", []byte("file-a=17\n"), "not a Java serialization stream"},
		{"other class", patch("java.util.HashMap", "java.util.Hashtab"), "holds a java.util.Hashtab where a java.util.HashMap was expected"},
		{"string entry", patch("ur\x00\x02[B", "t\x00\x05hello"), "holds a String where a byte[] was expected"},
		{"huge size", append(append(bytes.Clone(good[:sizeAt]), 0x7f, 0xff, 0xff, 0xff), good[sizeAt+4:]...), "claims 2147483647 entries"},
		{"bad reference", patch("q\x00~\x00\x02", "q\x00~\x00\x09"), "reference to unknown handle 0x7e0009"},
		{"missing end", good[:len(good)-1], "ends 1 bytes early"},
		{"object field", patch("F\x00\x0aloadFactor", "L\x00\x0aloadFactor"), "field loadFactor of object type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode = %v; want ErrFormat saying %q", err, tt.want)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.offsets")
	if err := os.WriteFile(path, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Read(oversized) = %v; want ErrFormat saying it is too large", err)
	}
}

func TestOffsetsSkipsForeignKeys(t *testing.T) {
	conns, skipped := Offsets([]Entry{
		{Key: []byte(`["c",{"f":"x"}]`), Value: []byte(`{"position":3}`)},
		{Key: []byte(`not json`), Value: []byte(`{}`)},
		{Key: []byte(`["c",{"f":"y"}]`), Value: []byte(`[1]`)},
		{Key: []byte(`["c",{"f":"z"}]`), Value: nil},
	})
	if len(conns) != 1 || len(conns[0].Entries) != 2 || conns[0].Entries[1].Offset != nil || len(skipped) != 2 {
		t.Fatalf("Offsets = %+v, skipped %+v; want c with one offset and one reset, two skipped", conns, skipped)
	}
}

// FuzzDecode feeds the decoder arbitrary bytes: it returns entries or
// ErrFormat, never panics, and never returns more bytes than it was given.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"two-connectors", "one-reset"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".offsets"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Decode error %v does not wrap ErrFormat", err)
			}
			return
		}
		n := 0
		for _, e := range entries {
			n += len(e.Key) + len(e.Value)
		}
		if n > len(b) && len(entries) > 0 && !sharedArrays(entries) {
			t.Fatalf("decoded %d bytes of entries from %d input bytes", n, len(b))
		}
		Offsets(entries)
	})
}

// sharedArrays reports whether entries reuse arrays (a back-reference in
// the stream), the one way decoded bytes can exceed the input.
func sharedArrays(entries []Entry) bool {
	seen := map[*byte]bool{}
	for _, e := range entries {
		for _, b := range [][]byte{e.Key, e.Value} {
			if len(b) == 0 {
				continue
			}
			if seen[&b[0]] {
				return true
			}
			seen[&b[0]] = true
		}
	}
	return false
}
