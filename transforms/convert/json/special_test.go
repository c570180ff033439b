package json

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestSpecialMatchesBytewise: the eight-byte test finds the first byte of a
// word that is '"', '\\' or below 0x20, at every position (8: none).
func TestSpecialMatchesBytewise(t *testing.T) {
	bytewise := func(w []byte) int {
		for i, c := range w {
			if c == '"' || c == '\\' || c < 0x20 {
				return i
			}
		}
		return 8
	}
	words := [][]byte{[]byte("abcdefgh"), []byte("        "), {0x7f, 0x80, 0xff, 0xfe, 0x21, 0x23, 0x5b, 0x5d}}
	for pos := 0; pos < 8; pos++ {
		for _, c := range []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x5c ^ 0x80, 0xa2} {
			w := []byte("abcdefgh")
			w[pos] = c
			words = append(words, w)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		w := make([]byte, 8)
		binary.LittleEndian.PutUint64(w, r.Uint64())
		words = append(words, w)
	}
	for _, w := range words {
		if got, want := firstSpecial(binary.LittleEndian.Uint64(w)), bytewise(w); got != want {
			t.Fatalf("firstSpecial(%q) = %v, want %v", w, got, want)
		}
	}
}
