package connectjson

import (
	"strings"
	"testing"
)

// plain8 says "plain" only when each of the eight bytes is one str copies as
// is, for every byte value at every position among plain bytes.
func TestPlain8(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
		for pos := 0; pos < 8; pos++ {
			for _, fill := range []byte{'a', ' ', '~', '!'} {
				b := []byte(strings.Repeat(string(fill), 8))
				b[pos] = byte(c)
				if got := plain8(string(b)); got != want {
					t.Fatalf("plain8(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// plainString says "plain" exactly when every byte of s is plain, for every
// length up to 20 and every byte value at every position.
func TestPlainString(t *testing.T) {
	for n := 0; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("Item_", 4)[:n])
				b[pos] = byte(c)
				want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
				if got := plainString(string(b)); got != want {
					t.Fatalf("plainString(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
	if !plainString("") {
		t.Fatal(`plainString("") = false`)
	}
}
