package file

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// readBufferSize is the initial read buffer; it doubles when one line is longer.
const readBufferSize = 1 << 20

// SourceTask reads complete lines from a file, as FileStreamSourceTask does.
// Each line becomes a record whose value is the line (STRING schema, no key)
// and whose offset is {"position": byte position after the line ending}.
// Line endings are \n, \r and \r\n; a trailing line without its ending is
// not emitted until the ending arrives, and a trailing \r waits for the next
// byte to tell \r from \r\n.
//
// Open seeks to the committed position. If the file is now shorter than that
// position (truncated or replaced), reading restarts at 0. Positions count
// bytes; Kafka Connect counts UTF-16 chars read but skips bytes on resume, so
// the two agree on ASCII files only.
type SourceTask struct {
	cfg       SourceConfig
	partition map[string]any
	f         *os.File
	start     int64 // position at Open
	pos       int64 // position after the last emitted line
	buf       []byte
	lo, hi    int // unread bytes are buf[lo:hi]; buf[lo] is at file position pos
	eof       bool
}

// NewSourceTask returns an unopened file source task.
func NewSourceTask() *SourceTask { return &SourceTask{} }

// Open parses props, opens the file and seeks to the committed position. A
// missing file is not an error: Poll returns nothing until it appears, as
// Kafka Connect waits for it.
func (t *SourceTask) Open(_ context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	if err := parse(props, &t.cfg); err != nil {
		return err
	}
	t.partition = map[string]any{FilenameField: t.cfg.File}
	if offsets != nil {
		pos, err := position(offsets.Offset(t.partition))
		if err != nil {
			return err
		}
		t.start = pos
	}
	return t.open()
}

// position reads the "position" of a stored offset, whatever numeric type the
// offset store decoded it as.
func position(off map[string]any) (int64, error) {
	raw, ok := off[PositionField]
	if !ok || raw == nil {
		return 0, nil
	}
	switch v := raw.(type) {
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float64:
		if v == math.Trunc(v) && v >= 0 {
			return int64(v), nil
		}
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: position %v (%T) is not a whole number; reset the connector's offsets", ErrOffset, raw, raw)
}

// open opens the file and seeks to t.start; a missing file leaves t.f nil.
func (t *SourceTask) open() error {
	f, err := os.Open(t.cfg.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: open %s: %w", ErrIO, t.cfg.File, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("%w: stat %s: %w", ErrIO, t.cfg.File, err)
	}
	if t.start > st.Size() {
		t.start = 0
	}
	if _, err := f.Seek(t.start, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("%w: seek %s to %d: %w", ErrIO, t.cfg.File, t.start, err)
	}
	t.f, t.pos = f, t.start
	t.buf = make([]byte, readBufferSize)
	return nil
}

// Poll returns up to batch.size complete lines; none at the end of the file.
func (t *SourceTask) Poll(ctx context.Context) ([]*connectors.Record, error) {
	if t.f == nil {
		if err := t.open(); err != nil || t.f == nil {
			return nil, err
		}
	}
	t.eof = false
	n := t.cfg.BatchSize
	slab := make([]connectors.Record, n)
	out := make([]*connectors.Record, 0, n)
	now := time.Now().UnixMilli()
	for len(out) < n {
		line, next, ok := t.nextLine()
		if !ok {
			if t.eof || ctx.Err() != nil {
				break
			}
			if err := t.fill(); err != nil {
				return out, err
			}
			continue
		}
		t.pos += int64(next)
		r := &slab[len(out)]
		*r = connectors.Record{
			Topic: t.cfg.Topic, Partition: connectors.NoPartition, Offset: -1, Timestamp: now,
			ValueSchema: connectors.StringSchema, Value: string(line),
			SourcePartition: t.partition, SourceOffset: map[string]any{PositionField: t.pos},
		}
		out = append(out, r)
	}
	return out, nil
}

// nextLine takes the next complete line from the buffer: the line without its
// ending, and how many bytes it consumed. ok is false when no complete line
// is buffered (including a final \r whose next byte is not read yet).
func (t *SourceTask) nextLine() (line []byte, consumed int, ok bool) {
	b := t.buf[t.lo:t.hi]
	nl := bytes.IndexByte(b, '\n')
	scope := b
	if nl >= 0 {
		scope = b[:nl]
	}
	if cr := bytes.IndexByte(scope, '\r'); cr >= 0 {
		if cr+1 >= len(b) {
			return nil, 0, false
		}
		end := cr + 1
		if b[end] == '\n' {
			end++
		}
		t.lo += end
		return b[:cr], end, true
	}
	if nl < 0 {
		return nil, 0, false
	}
	t.lo += nl + 1
	return b[:nl], nl + 1, true
}

// fill moves unread bytes to the front, grows the buffer if one line fills
// it, and reads more; it sets t.eof when the file has no more bytes now.
func (t *SourceTask) fill() error {
	if t.lo > 0 {
		t.hi = copy(t.buf, t.buf[t.lo:t.hi])
		t.lo = 0
	}
	if t.hi == len(t.buf) {
		t.buf = append(t.buf, make([]byte, len(t.buf))...)
	}
	n, err := t.f.Read(t.buf[t.hi:])
	t.hi += n
	switch {
	case errors.Is(err, io.EOF) || (err == nil && n == 0):
		t.eof = true
	case err != nil:
		return fmt.Errorf("%w: read %s at %d: %w", ErrIO, t.cfg.File, t.pos, err)
	}
	return nil
}

// Close closes the file.
func (t *SourceTask) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	if err != nil {
		return fmt.Errorf("%w: close %s: %w", ErrIO, t.cfg.File, err)
	}
	return nil
}
