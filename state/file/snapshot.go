package file

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"

	"github.com/ferryhq/ferry/state"
)

// encodeSnapshot writes v as the indented JSON a json.Encoder with
// SetEscapeHTML(false) and SetIndent("", "  ") writes, and returns the bytes
// written. A state file's map is written one entry at a time, so a
// compaction holds one entry's JSON besides the store instead of the whole
// file three times over (the encoding, its indented copy and the buffer
// written out: tens of MB at 10,000 connectors).
func encodeSnapshot(w io.Writer, v any) (int64, error) {
	cw := &countingWriter{w: w}
	var err error
	switch m := v.(type) {
	case *map[string]state.ConnectorRecord:
		err = writeEntries(cw, *m)
	case *map[string]taskStatuses:
		err = writeEntries(cw, *m)
	case *map[string]map[int]int64:
		err = writeEntries(cw, *m)
	case *map[string]json.RawMessage:
		err = writeEntries(cw, *m)
	default:
		enc := json.NewEncoder(cw)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(v)
	}
	return cw.n, err
}

// writeEntries writes m's entries sorted by key, as json.Encoder writes a
// map, each entry encoded on its own.
func writeEntries[V any](w io.Writer, m map[string]V) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if len(m) == 0 {
		bw.WriteString("{}\n")
		return bw.Flush()
	}
	bw.WriteString("{\n")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		buf.Reset()
		enc.SetIndent("", "")
		if err := enc.Encode(k); err != nil {
			return err
		}
		enc.SetIndent("  ", "  ")
		if err := enc.Encode(m[k]); err != nil {
			return err
		}
		key, value, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.WriteString("  ")
		bw.Write(key)
		bw.WriteString(": ")
		bw.Write(bytes.TrimSuffix(value, []byte("\n")))
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
