package json

import "sync/atomic"

// maxInterned bounds the object keys a converter keeps.
const maxInterned = 256

// keyTable hands out one string per distinct object key, so decoding
// schemaless objects whose keys repeat record after record allocates no key
// strings. The table is immutable once published and replaced whole
// (copy on write) while it grows to maxInterned keys; keys past that are
// allocated as before. Safe for concurrent use.
type keyTable struct {
	m atomic.Pointer[map[string]string]
}

// intern returns k as a string, shared with earlier calls for the same key.
func (t *keyTable) intern(k []byte) string {
	if t == nil {
		return string(k)
	}
	cur := t.m.Load()
	if cur != nil {
		if s, ok := (*cur)[string(k)]; ok {
			return s
		}
		if len(*cur) >= maxInterned {
			return string(k)
		}
	}
	s := string(k)
	next := make(map[string]string, 1+len(mapOrNil(cur)))
	for key, v := range mapOrNil(cur) {
		next[key] = v
	}
	next[s] = s
	t.m.CompareAndSwap(cur, &next) // lost a race: the key goes in next time
	return s
}

func mapOrNil(p *map[string]string) map[string]string {
	if p == nil {
		return nil
	}
	return *p
}
