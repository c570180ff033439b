package avsc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrShort is the Reader's error when the data ends inside a value.
var ErrShort = errors.New("avro: data ends inside a value")

// Reader reads the Avro binary encoding from a byte slice. The first
// failure is kept in Error; later reads return zero values.
type Reader struct {
	buf   []byte
	pos   int
	Error error
}

// NewReader returns a Reader of b.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// Reset makes r read b from its start.
func (r *Reader) Reset(b []byte) *Reader {
	r.buf, r.pos, r.Error = b, 0, nil
	return r
}

func (r *Reader) fail(err error) {
	if r.Error == nil {
		r.Error = fmt.Errorf("%w (at byte %d)", err, r.pos)
	}
}

// varint reads a zig-zag varint of at most max bytes.
func (r *Reader) varint(max int) int64 {
	var u uint64
	for i := 0; i < max; i++ {
		if r.pos >= len(r.buf) {
			r.fail(ErrShort)
			return 0
		}
		c := r.buf[r.pos]
		r.pos++
		u |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1)
		}
	}
	r.fail(errors.New("avro: varint too long"))
	return 0
}

// ReadInt reads an int.
func (r *Reader) ReadInt() int32 {
	v := r.varint(5)
	if v > math.MaxInt32 || v < math.MinInt32 {
		r.fail(errors.New("avro: int out of range"))
		return 0
	}
	return int32(v)
}

// ReadLong reads a long.
func (r *Reader) ReadLong() int64 { return r.varint(10) }

// ReadBool reads a boolean.
func (r *Reader) ReadBool() bool {
	b := r.next(1)
	if b == nil {
		return false
	}
	if b[0] > 1 {
		r.fail(fmt.Errorf("avro: invalid boolean byte %d", b[0]))
	}
	return b[0] == 1
}

// ReadFloat reads a float.
func (r *Reader) ReadFloat() float32 {
	b := r.next(4)
	if b == nil {
		return 0
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}

// ReadDouble reads a double.
func (r *Reader) ReadDouble() float64 {
	b := r.next(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// ReadBytes reads bytes (a copy).
func (r *Reader) ReadBytes() []byte {
	n := r.ReadLong()
	if n < 0 {
		r.fail(fmt.Errorf("avro: negative length %d", n))
		return nil
	}
	b := r.next(n)
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// ReadString reads a string.
func (r *Reader) ReadString() string {
	n := r.ReadLong()
	if n < 0 {
		r.fail(fmt.Errorf("avro: negative length %d", n))
		return ""
	}
	return string(r.next(n))
}

// Read fills b (a fixed).
func (r *Reader) Read(b []byte) {
	if src := r.next(int64(len(b))); src != nil {
		copy(b, src)
	}
}

// ReadBlockHeader reads an array or map block's item count and, for a
// negative count, its byte size.
func (r *Reader) ReadBlockHeader() (count, size int64) {
	count = r.ReadLong()
	if count < 0 {
		if count == math.MinInt64 {
			r.fail(errors.New("avro: invalid block count"))
			return 0, 0
		}
		count, size = -count, r.ReadLong()
	}
	return count, size
}

// next returns the next n bytes, nil (and Error set) when fewer are left.
func (r *Reader) next(n int64) []byte {
	if r.Error != nil {
		return nil
	}
	if n > int64(len(r.buf)-r.pos) {
		r.fail(ErrShort)
		return nil
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b
}

// Writer appends the Avro binary encoding to a buffer. Error is always nil
// (the buffer grows as needed); it is kept for the callers' checks.
type Writer struct {
	buf   []byte
	Error error
}

// NewWriter returns a Writer whose buffer starts with capacity n.
func NewWriter(n int) *Writer { return &Writer{buf: make([]byte, 0, n)} }

// Buffer returns the bytes written.
func (w *Writer) Buffer() []byte { return w.buf }

// Write appends b as it is.
func (w *Writer) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	return len(b), nil
}

// WriteLong appends a long.
func (w *Writer) WriteLong(v int64) {
	w.buf = binary.AppendUvarint(w.buf, uint64(v<<1)^uint64(v>>63))
}

// WriteInt appends an int.
func (w *Writer) WriteInt(v int32) { w.WriteLong(int64(v)) }

// WriteBool appends a boolean.
func (w *Writer) WriteBool(v bool) {
	if v {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

// WriteFloat appends a float.
func (w *Writer) WriteFloat(v float32) {
	w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(v))
}

// WriteDouble appends a double.
func (w *Writer) WriteDouble(v float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
}

// WriteBytes appends bytes.
func (w *Writer) WriteBytes(b []byte) {
	w.WriteLong(int64(len(b)))
	w.buf = append(w.buf, b...)
}

// WriteString appends a string.
func (w *Writer) WriteString(s string) {
	w.WriteLong(int64(len(s)))
	w.buf = append(w.buf, s...)
}
