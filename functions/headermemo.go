package functions

import "github.com/ferryhq/ferry/connectors"

// memoHeaders is how many leading header positions headerMemo remembers.
const memoHeaders = 8

// relearnAfter is how many misses of the same header key a position takes
// before it remembers the new value.
const relearnAfter = 16

// headerMemo remembers, for each of a source record's first memoHeaders
// header positions, the header converted there last and its bytes: a source
// repeating a header from record to record (datagen's task id and
// generation) has it converted once per invocation instead of once per
// record. Only scalar values are remembered (integers, booleans, strings:
// values Go compares exactly and converters print one way); the bytes are
// the converter's for the same topic, key, schema and value, and are never
// written to once produced. A position whose value changes with every
// record (datagen's iteration) is relearnt only every relearnAfter misses,
// not rewritten each time.
type headerMemo struct {
	at [memoHeaders]memoHeader
}

type memoHeader struct {
	topic, key string
	schema     *connectors.Schema
	value      any
	bytes      []byte
	set        bool
	misses     int
}

// memoizable reports whether v is a value headerMemo compares.
func memoizable(v any) bool {
	switch v.(type) {
	case int8, int16, int32, int64, bool, string:
		return true
	}
	return false
}

// lookup returns the bytes of header h at position i of a record for topic
// when the header converted there last was the same.
func (m *headerMemo) lookup(i int, topic string, h connectors.Header) ([]byte, bool) {
	if i >= memoHeaders || !memoizable(h.Value) {
		return nil, false
	}
	e := &m.at[i]
	if !e.set || e.key != h.Key || e.schema != h.Schema || e.value != h.Value || e.topic != topic {
		e.misses++
		return nil, false
	}
	return e.bytes, true
}

// store remembers the bytes h converted to at position i, unless only the
// value differs from what the position holds and it has missed fewer than
// relearnAfter times.
func (m *headerMemo) store(i int, topic string, h connectors.Header, b []byte) {
	if i >= memoHeaders || !memoizable(h.Value) {
		return
	}
	if e := &m.at[i]; !e.set || e.key != h.Key || e.schema != h.Schema || e.topic != topic || e.misses >= relearnAfter {
		*e = memoHeader{topic: topic, key: h.Key, schema: h.Schema, value: h.Value, bytes: b, set: true}
	}
}
