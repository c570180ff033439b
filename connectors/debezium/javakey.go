package debezium

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf16"
)

// Debezium keeps an incremental snapshot's chunk positions in the offset as
// a Java-serialized Object[] (ObjectOutputStream) in hex. EncodeKey and
// DecodeKey read and write that form for the element types a primary key
// reads as through JDBC in the common cases: Integer (int32), Long (int64),
// Short (int16), Byte (int8) and String; nil is null. Other key types are
// written as their text form (a String).

const (
	tcNull      = 0x70
	tcReference = 0x71
	tcClassDesc = 0x72
	tcObject    = 0x73
	tcString    = 0x74
	tcArray     = 0x75
	tcEndBlock  = 0x78
	baseHandle  = 0x7e0000
)

// javaBox is a java.lang number class: its name, serialVersionUID, field
// type code and size.
type javaBox struct {
	name string
	uid  uint64
	code byte
	size int
}

var (
	boxInteger = javaBox{"java.lang.Integer", 0x12e2a0a4f7818738, 'I', 4}
	boxLong    = javaBox{"java.lang.Long", 0x3b8be490cc8f23df, 'J', 8}
	boxShort   = javaBox{"java.lang.Short", 0x684d37133460da52, 'S', 2}
	boxByte    = javaBox{"java.lang.Byte", 0x9c4e6084ee50f51c, 'B', 1}
	boxes      = []javaBox{boxInteger, boxLong, boxShort, boxByte}
)

const (
	objectArrayClass = "[Ljava.lang.Object;"
	objectArrayUID   = 0x90ce589f1073296c
	numberClass      = "java.lang.Number"
	numberUID        = 0x86ac951d0b94e08b
)

// keyWriter writes a serialization stream, numbering handles as Java does.
type keyWriter struct {
	buf     bytes.Buffer
	next    int
	handles map[string]int // class name -> handle of its descriptor
}

// utf writes s in Java's modified UTF-8 (DataOutput.writeUTF): UTF-16
// units, NUL as two bytes, a supplementary character as its two
// surrogates of three bytes each.
func (w *keyWriter) utf(s string) {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u != 0 && u < 0x80:
			b = append(b, byte(u))
		case u < 0x800:
			b = append(b, 0xc0|byte(u>>6), 0x80|byte(u&0x3f))
		default:
			b = append(b, 0xe0|byte(u>>12), 0x80|byte(u>>6&0x3f), 0x80|byte(u&0x3f))
		}
	}
	_ = binary.Write(&w.buf, binary.BigEndian, uint16(len(b)))
	w.buf.Write(b)
}

func (w *keyWriter) handle() int { h := w.next; w.next++; return h }

// classDesc writes a descriptor, or a reference to one already written.
func (w *keyWriter) classDesc(name string, uid uint64, fields [][2]string, super func()) {
	if h, ok := w.handles[name]; ok {
		w.buf.WriteByte(tcReference)
		_ = binary.Write(&w.buf, binary.BigEndian, uint32(baseHandle+h))
		return
	}
	w.buf.WriteByte(tcClassDesc)
	w.utf(name)
	_ = binary.Write(&w.buf, binary.BigEndian, uid)
	w.handles[name] = w.handle()
	w.buf.WriteByte(0x02) // SC_SERIALIZABLE
	_ = binary.Write(&w.buf, binary.BigEndian, uint16(len(fields)))
	for _, f := range fields {
		w.buf.WriteByte(f[0][0])
		w.utf(f[1])
	}
	w.buf.WriteByte(tcEndBlock)
	if super == nil {
		w.buf.WriteByte(tcNull)
	} else {
		super()
	}
}

func (w *keyWriter) number(b javaBox, v int64) {
	w.buf.WriteByte(tcObject)
	w.classDesc(b.name, b.uid, [][2]string{{string(b.code), "value"}}, func() {
		w.classDesc(numberClass, numberUID, nil, nil)
	})
	w.handle()
	switch b.size {
	case 1:
		w.buf.WriteByte(byte(v))
	case 2:
		_ = binary.Write(&w.buf, binary.BigEndian, int16(v))
	case 4:
		_ = binary.Write(&w.buf, binary.BigEndian, int32(v))
	default:
		_ = binary.Write(&w.buf, binary.BigEndian, v)
	}
}

// EncodeKey writes key as Debezium's hex Java-serialized Object[]. Elements
// are int8, int16, int32, int64, string or nil; any other value is written
// as the string fmt.Sprint gives. A nil key is a serialized null, as
// Debezium writes a table's position before its first chunk.
func EncodeKey(key []any) string {
	if key == nil {
		return "aced0005" + "70"
	}
	w := &keyWriter{handles: map[string]int{}}
	w.buf.Write([]byte{0xac, 0xed, 0x00, 0x05, tcArray})
	w.classDesc(objectArrayClass, objectArrayUID, nil, nil)
	w.handle()
	_ = binary.Write(&w.buf, binary.BigEndian, int32(len(key)))
	for _, v := range key {
		switch x := v.(type) {
		case nil:
			w.buf.WriteByte(tcNull)
		case int8:
			w.number(boxByte, int64(x))
		case int16:
			w.number(boxShort, int64(x))
		case int32:
			w.number(boxInteger, int64(x))
		case int64:
			w.number(boxLong, x)
		default:
			s, ok := v.(string)
			if !ok {
				s = fmt.Sprint(v)
			}
			w.buf.WriteByte(tcString)
			w.utf(s)
			w.handle()
		}
	}
	return hex.EncodeToString(w.buf.Bytes())
}

var errKey = errors.New("not a serialized Object[] of numbers and strings")

// keyReader reads what EncodeKey (or Debezium) wrote.
type keyReader struct {
	b       []byte
	handles []any // class names (string in a *classInfo) and strings
}

type classInfo struct {
	name   string
	fields []byte // primitive type codes of this class's fields
	super  *classInfo
}

func (r *keyReader) take(n int) ([]byte, error) {
	if len(r.b) < n {
		return nil, errKey
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p, nil
}

func (r *keyReader) byte1() (byte, error) {
	p, err := r.take(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

func (r *keyReader) utf() (string, error) {
	p, err := r.take(2)
	if err != nil {
		return "", err
	}
	b, err := r.take(int(binary.BigEndian.Uint16(p)))
	if err != nil {
		return "", err
	}
	var units []uint16
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case c < 0x80:
			units, i = append(units, uint16(c)), i+1
		case c&0xe0 == 0xc0 && i+1 < len(b):
			units, i = append(units, uint16(c&0x1f)<<6|uint16(b[i+1]&0x3f)), i+2
		case c&0xf0 == 0xe0 && i+2 < len(b):
			units, i = append(units, uint16(c&0x0f)<<12|uint16(b[i+1]&0x3f)<<6|uint16(b[i+2]&0x3f)), i+3
		default:
			return "", errKey
		}
	}
	return string(utf16.Decode(units)), nil
}

func (r *keyReader) ref() (any, error) {
	p, err := r.take(4)
	if err != nil {
		return nil, err
	}
	h := int(binary.BigEndian.Uint32(p)) - baseHandle
	if h < 0 || h >= len(r.handles) {
		return nil, errKey
	}
	return r.handles[h], nil
}

// classDesc reads a descriptor, a reference to one, or null.
func (r *keyReader) classDesc() (*classInfo, error) {
	tc, err := r.byte1()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcReference:
		v, err := r.ref()
		ci, ok := v.(*classInfo)
		if err != nil || !ok {
			return nil, errKey
		}
		return ci, nil
	case tcClassDesc:
	default:
		return nil, errKey
	}
	ci := &classInfo{}
	if ci.name, err = r.utf(); err != nil {
		return nil, err
	}
	if _, err := r.take(9); err != nil { // serialVersionUID and flags
		return nil, err
	}
	r.handles = append(r.handles, ci)
	p, err := r.take(2)
	if err != nil {
		return nil, err
	}
	for n := binary.BigEndian.Uint16(p); n > 0; n-- {
		code, err := r.byte1()
		if err != nil {
			return nil, err
		}
		if _, err := r.utf(); err != nil {
			return nil, err
		}
		if code == 'L' || code == '[' {
			return nil, errKey // object fields: not a boxed number
		}
		ci.fields = append(ci.fields, code)
	}
	if end, err := r.byte1(); err != nil || end != tcEndBlock {
		return nil, errKey
	}
	ci.super, err = r.classDesc()
	return ci, err
}

// element reads one array element.
func (r *keyReader) element() (any, error) {
	tc, err := r.byte1()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcString:
		s, err := r.utf()
		r.handles = append(r.handles, s)
		return s, err
	case tcReference:
		v, err := r.ref()
		if s, ok := v.(string); ok && err == nil {
			return s, nil
		}
		return nil, errKey
	case tcObject:
	default:
		return nil, errKey
	}
	ci, err := r.classDesc()
	if err != nil || ci == nil {
		return nil, errKey
	}
	r.handles = append(r.handles, nil)
	for _, b := range boxes {
		if b.name != ci.name || len(ci.fields) != 1 {
			continue
		}
		p, err := r.take(b.size)
		if err != nil {
			return nil, err
		}
		switch b.size {
		case 1:
			return int8(p[0]), nil
		case 2:
			return int16(binary.BigEndian.Uint16(p)), nil
		case 4:
			return int32(binary.BigEndian.Uint32(p)), nil
		}
		return int64(binary.BigEndian.Uint64(p)), nil
	}
	return nil, fmt.Errorf("key element of class %s: %w", ci.name, errKey)
}

// DecodeKey reads a key EncodeKey or Debezium wrote ("" and a serialized
// null are nil).
func DecodeKey(s string) ([]any, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("incremental snapshot key %q: %w", s, err)
	}
	r := &keyReader{b: raw}
	head, err := r.take(4)
	if err != nil || !bytes.Equal(head, []byte{0xac, 0xed, 0x00, 0x05}) {
		return nil, fmt.Errorf("incremental snapshot key %q: %w", s, errKey)
	}
	tc, err := r.byte1()
	if err == nil && tc == tcNull && len(r.b) == 0 {
		return nil, nil // Debezium's null key
	}
	if err != nil || tc != tcArray {
		return nil, fmt.Errorf("incremental snapshot key %q: %w", s, errKey)
	}
	if _, err := r.classDesc(); err != nil {
		return nil, fmt.Errorf("incremental snapshot key %q: %w", s, err)
	}
	r.handles = append(r.handles, nil)
	p, err := r.take(4)
	if err != nil {
		return nil, fmt.Errorf("incremental snapshot key %q: %w", s, err)
	}
	n := int(binary.BigEndian.Uint32(p))
	if n > 64 {
		return nil, fmt.Errorf("incremental snapshot key %q: %d elements: %w", s, n, errKey)
	}
	key := make([]any, 0, n)
	for i := 0; i < n; i++ {
		v, err := r.element()
		if err != nil {
			return nil, fmt.Errorf("incremental snapshot key %q: %w", s, err)
		}
		key = append(key, v)
	}
	return key, nil
}
