package json

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"unsafe"
)

// TestKeyTable: a repeated key is the same string, every key reads back as
// given, the table stops growing at maxInterned, and concurrent use is safe
// (go test -race).
func TestKeyTable(t *testing.T) {
	var kt keyTable
	a, b := kt.intern([]byte("ordertime")), kt.intern([]byte("ordertime"))
	if a != "ordertime" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("repeated key not shared: %q %q", a, b)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2*maxInterned; i++ {
				k := fmt.Sprintf("k%d", i)
				if got := kt.intern([]byte(k)); got != k {
					t.Errorf("intern(%q) = %q", k, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := len(*kt.m.Load()); n > maxInterned {
		t.Errorf("table holds %d keys, bound %d", n, maxInterned)
	}
	var none *keyTable
	if got := none.intern([]byte("x")); got != "x" {
		t.Errorf("nil table: %q", got)
	}
}

// TestSharedStringsOwnTheirBytes: a schemaless object's strings share one
// copy of the record, not the caller's buffer, which it may reuse.
func TestSharedStringsOwnTheirBytes(t *testing.T) {
	c, err := New(map[string]string{"schemas.enable": "false"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{`{"a":"xy","b":["z","w\u0041"],"c":{"d":"e"}}`, `["xy"]`, `"xy"`} {
		data := []byte(in)
		_, v, err := c.ToConnect(context.Background(), "t", data)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprint(v)
		for i := range data {
			data[i] = '#'
		}
		if got := fmt.Sprint(v); got != want {
			t.Errorf("%s: value changed with the input buffer: %s, want %s", in, got, want)
		}
	}
}
