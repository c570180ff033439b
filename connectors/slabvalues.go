package connectors

import (
	"strconv"
	"unsafe"
)

// slabWords is how many numbers, strings and text bytes (times 8) one block
// of a StructSlab's boxed values holds.
const slabWords = 256

// eface is the layout of an empty interface value: a type word and a pointer
// to the value's data.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	int32Type   = typeWord(int32(0))
	int64Type   = typeWord(int64(0))
	float64Type = typeWord(float64(0))
	stringType  = typeWord("")
)

// boxed returns the interface value of type typ whose data is at data: the
// value any(x) makes, with x's data in a block slot written once, before the
// value exists, and never again.
func boxed(typ, data unsafe.Pointer) any {
	var v any
	*(*eface)(unsafe.Pointer(&v)) = eface{typ: typ, data: data}
	return v
}

// word returns a fresh 8-byte slot of the current block.
func (sl *StructSlab) word() unsafe.Pointer {
	if len(sl.words) == 0 {
		sl.words = make([]uint64, slabWords)
	}
	p := &sl.words[0]
	sl.words = sl.words[1:]
	return unsafe.Pointer(p)
}

// Int64 returns any(n), its data in a block shared with other values.
func (sl *StructSlab) Int64(n int64) any {
	if uint64(n) < 256 { // any(n) takes these from the runtime without allocating
		return n
	}
	p := sl.word()
	*(*int64)(p) = n
	return boxed(int64Type, p)
}

// Int32 returns any(n), its data in a block shared with other values.
func (sl *StructSlab) Int32(n int32) any {
	if uint32(n) < 256 {
		return n
	}
	p := sl.word()
	*(*int32)(p) = n
	return boxed(int32Type, p)
}

// Float64 returns any(f), its data in a block shared with other values.
func (sl *StructSlab) Float64(f float64) any {
	p := sl.word()
	*(*float64)(p) = f
	return boxed(float64Type, p)
}

// String returns any(s), its string header in a block shared with other
// values (s's bytes are not copied).
func (sl *StructSlab) String(s string) any {
	if len(sl.strs) == 0 {
		sl.strs = make([]string, slabWords/4)
	}
	p := &sl.strs[0]
	sl.strs = sl.strs[1:]
	*p = s
	return boxed(stringType, unsafe.Pointer(p))
}

// FormatInt returns strconv.FormatInt(n, 10), its bytes in a block shared
// with other strings and never written again.
func (sl *StructSlab) FormatInt(n int64) string {
	if cap(sl.text)-len(sl.text) < 20 {
		sl.text = make([]byte, 0, 8*slabWords)
	}
	start := len(sl.text)
	sl.text = strconv.AppendInt(sl.text, n, 10)
	return unsafe.String(&sl.text[start], len(sl.text)-start)
}
