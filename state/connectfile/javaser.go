package connectfile

import (
	"encoding/binary"
	"fmt"
)

// The subset of Java Object Serialization (java.io.ObjectStreamConstants)
// that ObjectOutputStream writes for a HashMap<byte[], byte[]>.
const (
	streamMagic    = 0xACED
	streamVersion  = 5
	tcNull         = 0x70
	tcReference    = 0x71
	tcClassDesc    = 0x72
	tcObject       = 0x73
	tcString       = 0x74
	tcArray        = 0x75
	tcEndBlock     = 0x78
	tcBlockData    = 0x77
	baseHandle     = 0x7E0000
	scSerializable = 0x02
	scWriteMethod  = 0x01
)

// The two classes the file holds, with the serialVersionUID the JDK gives them.
const (
	hashMapClass = "java.util.HashMap"
	byteArray    = "[B"
)

// classDesc is a class description read from the stream.
type classDesc struct {
	name   string
	flags  byte
	fields []field
}

// field is one serializable field of a class description.
type field struct {
	code byte
	name string
}

// primitiveSize is the encoded size of each primitive field type code.
var primitiveSize = map[byte]int{'B': 1, 'C': 2, 'D': 8, 'F': 4, 'I': 4, 'J': 8, 'S': 2, 'Z': 1}

// reader decodes the stream; handles are the objects the stream may refer back to.
type reader struct {
	b       []byte
	pos     int
	handles []any
}

// errAt says what was wrong where, for an error message.
func (r *reader) errAt(format string, args ...any) error {
	return fmt.Errorf("byte %d: %s: %w", r.pos, fmt.Sprintf(format, args...), ErrFormat)
}

func (r *reader) need(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.pos {
		return nil, fmt.Errorf("byte %d: the file ends %d bytes early (truncated?): %w", r.pos, n-(len(r.b)-r.pos), ErrFormat)
	}
	out := r.b[r.pos : r.pos+n]
	r.pos += n
	return out, nil
}

func (r *reader) byte1() (byte, error) {
	b, err := r.need(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (r *reader) uint16() (int, error) {
	b, err := r.need(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

func (r *reader) int32() (int, error) {
	b, err := r.need(4)
	if err != nil {
		return 0, err
	}
	return int(int32(binary.BigEndian.Uint32(b))), nil
}

// utf reads a modified-UTF-8 string with a 2-byte length (class and field names: ASCII here).
func (r *reader) utf() (string, error) {
	n, err := r.uint16()
	if err != nil {
		return "", err
	}
	b, err := r.need(n)
	return string(b), err
}

// expect reads one type code and fails unless it is want.
func (r *reader) expect(want byte, what string) error {
	at := r.pos
	c, err := r.byte1()
	if err != nil {
		return err
	}
	if c != want {
		r.pos = at
		return r.errAt("want %s (0x%02x), found 0x%02x", what, want, c)
	}
	return nil
}

func (r *reader) header() error {
	magic, err := r.uint16()
	if err != nil {
		return err
	}
	version, err := r.uint16()
	if err != nil {
		return err
	}
	if magic != streamMagic || version != streamVersion {
		return fmt.Errorf("starts with %04x %04x, not a Java serialization stream (aced 0005): %w", magic, version, ErrFormat)
	}
	return nil
}

// newHandle records obj as the next back-reference target.
func (r *reader) newHandle(obj any) {
	r.handles = append(r.handles, obj)
}

// reference reads a TC_REFERENCE handle (the code already read).
func (r *reader) reference() (any, error) {
	h, err := r.int32()
	if err != nil {
		return nil, err
	}
	i := h - baseHandle
	if i < 0 || i >= len(r.handles) {
		return nil, r.errAt("reference to unknown handle 0x%x", h)
	}
	return r.handles[i], nil
}

// classDesc reads a TC_CLASSDESC or a TC_REFERENCE to one; want is the class
// name the caller accepts.
func (r *reader) classDesc(want string) (*classDesc, error) {
	at := r.pos
	c, err := r.byte1()
	if err != nil {
		return nil, err
	}
	var d *classDesc
	switch c {
	case tcReference:
		obj, err := r.reference()
		if err != nil {
			return nil, err
		}
		cd, ok := obj.(*classDesc)
		if !ok {
			return nil, r.errAt("reference to a %T where a class description was expected", obj)
		}
		d = cd
	case tcClassDesc:
		if d, err = r.newClassDesc(); err != nil {
			return nil, err
		}
	default:
		r.pos = at
		return nil, r.errAt("want a class description, found type code 0x%02x", c)
	}
	if d.name != want {
		return nil, fmt.Errorf("byte %d: holds a %s where a %s was expected; only connect-standalone's HashMap<byte[], byte[]> is read: %w", at, d.name, want, ErrFormat)
	}
	return d, nil
}

// newClassDesc reads a class description's body (TC_CLASSDESC already read).
func (r *reader) newClassDesc() (*classDesc, error) {
	name, err := r.utf()
	if err != nil {
		return nil, err
	}
	if _, err := r.need(8); err != nil { // serialVersionUID
		return nil, err
	}
	d := &classDesc{name: name}
	r.newHandle(d)
	if d.flags, err = r.byte1(); err != nil {
		return nil, err
	}
	n, err := r.uint16()
	if err != nil {
		return nil, err
	}
	for range n {
		code, err := r.byte1()
		if err != nil {
			return nil, err
		}
		fname, err := r.utf()
		if err != nil {
			return nil, err
		}
		if _, ok := primitiveSize[code]; !ok {
			return nil, r.errAt("class %s has field %s of object type %q; only primitive fields are read", name, fname, code)
		}
		d.fields = append(d.fields, field{code: code, name: fname})
	}
	if err := r.expect(tcEndBlock, "end of class annotations"); err != nil {
		return nil, err
	}
	if err := r.expect(tcNull, "no superclass"); err != nil {
		return nil, err
	}
	return d, nil
}

// skipFields reads past the primitive field values of d.
func (r *reader) skipFields(d *classDesc) error {
	for _, f := range d.fields {
		if _, err := r.need(primitiveSize[f.code]); err != nil {
			return err
		}
	}
	return nil
}

// bytesOrNull reads one map key or value: null, a new byte[] or a reference to one.
func (r *reader) bytesOrNull() ([]byte, error) {
	at := r.pos
	c, err := r.byte1()
	if err != nil {
		return nil, err
	}
	switch c {
	case tcNull:
		return nil, nil
	case tcReference:
		obj, err := r.reference()
		if err != nil {
			return nil, err
		}
		b, ok := obj.([]byte)
		if !ok {
			return nil, r.errAt("reference to a %T where a byte[] was expected", obj)
		}
		return b, nil
	case tcArray:
		if _, err := r.classDesc(byteArray); err != nil {
			return nil, err
		}
		n, err := r.int32()
		if err != nil {
			return nil, err
		}
		b, err := r.need(n)
		if err != nil {
			return nil, err
		}
		b = append(make([]byte, 0, len(b)), b...) // non-nil even when empty
		r.newHandle(b)
		return b, nil
	case tcString:
		r.pos = at
		return nil, r.errAt("holds a String where a byte[] was expected; only connect-standalone's HashMap<byte[], byte[]> is read")
	default:
		r.pos = at
		return nil, r.errAt("want a byte[] or null, found type code 0x%02x", c)
	}
}

// hashMap reads a serialized HashMap<byte[], byte[]> as its entries in stream order.
func (r *reader) hashMap() ([]Entry, error) {
	if err := r.expect(tcObject, "an object"); err != nil {
		return nil, err
	}
	d, err := r.classDesc(hashMapClass)
	if err != nil {
		return nil, err
	}
	if d.flags&(scSerializable|scWriteMethod) != scSerializable|scWriteMethod {
		return nil, r.errAt("HashMap class flags 0x%02x lack writeObject data", d.flags)
	}
	r.newHandle(nil) // the map object itself
	if err := r.skipFields(d); err != nil {
		return nil, err
	}
	if err := r.expect(tcBlockData, "HashMap block data"); err != nil {
		return nil, err
	}
	n, err := r.byte1()
	if err != nil {
		return nil, err
	}
	if n != 8 {
		return nil, r.errAt("HashMap block data of %d bytes, want 8 (capacity, size)", n)
	}
	if _, err := r.int32(); err != nil { // bucket capacity
		return nil, err
	}
	size, err := r.int32()
	if err != nil {
		return nil, err
	}
	// Every entry takes at least two bytes (two nulls): a larger size is a lie.
	if size < 0 || size > (len(r.b)-r.pos)/2 {
		return nil, r.errAt("HashMap claims %d entries in %d remaining bytes", size, len(r.b)-r.pos)
	}
	out := make([]Entry, 0, size)
	for range size {
		k, err := r.bytesOrNull()
		if err != nil {
			return nil, err
		}
		v, err := r.bytesOrNull()
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Key: k, Value: v})
	}
	if err := r.expect(tcEndBlock, "end of HashMap data"); err != nil {
		return nil, err
	}
	return out, nil
}
