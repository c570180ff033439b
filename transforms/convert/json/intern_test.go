package json

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
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

// TestSharedStringsOwnTheirBytes: a schemaless object's strings share blocks,
// not the caller's buffer, which it may reuse.
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

// TestBoxedValuesMatchPlainOnes: schemaless values read with shared strings
// and block-boxed numbers equal (==, DeepEqual, type switches) those read
// one allocation each, and stay intact across garbage collections.
func TestBoxedValuesMatchPlainOnes(t *testing.T) {
	docs := []string{
		`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":7.475185666922104,"address":{"city":"City_8","state":"State_57","zipcode":14263}}`,
		`[1,-1,255,256,-9223372036854775808,9223372036854775807,18446744073709551617,0.5,-0.0,1e300,"","a\"b",true,null,[{"x":"y"}]]`,
		`{"s":"` + strings.Repeat("long ", 40) + `","n":[` + strings.Repeat("123456,", 30) + `7]}`,
	}
	read := func(doc string, share bool) any {
		d := decoder{data: []byte(doc), share: share}
		v, err := d.schemaless()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var kept []any
	for range 50 {
		for _, doc := range docs {
			kept = append(kept, read(doc, true))
		}
	}
	runtime.GC()
	for i, got := range kept {
		want := read(docs[i%len(docs)], false)
		if !reflect.DeepEqual(got, want) || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Fatalf("doc %d: boxed %#v, plain %#v", i%len(docs), got, want)
		}
	}
	if m := kept[0].(map[string]any); m["itemid"] != "Item_184" || m["ordertime"] != int64(1497014222380) || m["orderunits"] != 7.475185666922104 {
		t.Errorf("boxed values do not compare equal to plain ones: %#v", m)
	}
}
