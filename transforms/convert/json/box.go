package json

import "unsafe"

// boxBlock is how many values of a kind one block of a record holds, and
// textBlock the bytes of its short strings' blocks.
const (
	boxBlock   = 4
	textBlock  = 64
	maxInBlock = textBlock / 2 // longer strings get their own allocation
)

// boxes makes the interface values of one record's schemaless strings and
// numbers with their data in small blocks shared by the record, where
// any(x) would allocate each value's data alone: a record of three strings
// and three numbers costs three allocations instead of nine.
//
// An interface value is a type word and a pointer to immutable data; the
// values made here are exactly those any(x) makes, except that the data sit
// in a block slot that is written once, before the value exists, and never
// again. The garbage collector keeps a block alive while any of its values
// is reachable. Strings' bytes are packed the same way (string). Not safe
// for concurrent use: one per decoding.
type boxes struct {
	strs  []string
	words []uint64 // int64 and float64 data
	text  []byte   // short strings' bytes, appended and never rewritten
}

// string returns raw as a string: a short one in a block of the record's
// string bytes, a long one in its own allocation.
func (b *boxes) string(raw []byte) string {
	if len(raw) == 0 || len(raw) > maxInBlock {
		return string(raw)
	}
	if cap(b.text)-len(b.text) < len(raw) {
		b.text = make([]byte, 0, textBlock)
	}
	start := len(b.text)
	b.text = append(b.text, raw...)
	return unsafe.String(&b.text[start], len(raw))
}

// eface is the layout of an empty interface value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType  = typeWord("")
	int64Type   = typeWord(int64(0))
	float64Type = typeWord(float64(0))
)

// makeAny returns the interface value of type typ whose data is at data.
func makeAny(typ, data unsafe.Pointer) any {
	var v any
	*(*eface)(unsafe.Pointer(&v)) = eface{typ: typ, data: data}
	return v
}

// str returns any(s).
func (b *boxes) str(s string) any {
	if len(b.strs) == 0 {
		b.strs = make([]string, boxBlock)
	}
	p := &b.strs[0]
	b.strs = b.strs[1:]
	*p = s
	return makeAny(stringType, unsafe.Pointer(p))
}

// word returns the interface value of type typ (int64 or float64) of bits w.
func (b *boxes) word(typ unsafe.Pointer, w uint64) any {
	if len(b.words) == 0 {
		b.words = make([]uint64, boxBlock)
	}
	p := &b.words[0]
	b.words = b.words[1:]
	*p = w
	return makeAny(typ, unsafe.Pointer(p))
}

// int64 returns any(n).
func (b *boxes) int64(n int64) any {
	if uint64(n) < 256 { // any(n) takes these from the runtime without allocating
		return n
	}
	return b.word(int64Type, uint64(n))
}

// float64 returns any(f).
func (b *boxes) float64(f float64) any {
	return b.word(float64Type, *(*uint64)(unsafe.Pointer(&f)))
}
