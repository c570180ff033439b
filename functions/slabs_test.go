package functions

import (
	"bytes"
	"context"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/simpleheader"
	"github.com/ferryhq/ferry/transforms/convert/stringconv"
)

// TestSlab: slices cut from a block never overlap, appending past a slice's
// capacity does not write into its neighbour, and blocks are replaced.
func TestSlab(t *testing.T) {
	var s slab[int]
	var got [][]int
	for i := range 3 * slabSize {
		n := 1 + i%3
		x := s.slice(n)
		if len(x) != 0 || cap(x) != n {
			t.Fatalf("slice(%d): len %d cap %d", n, len(x), cap(x))
		}
		for range n + 1 { // one more than fits: must reallocate
			x = append(x, i)
		}
		got = append(got, x)
	}
	for i, x := range got {
		for _, v := range x {
			if v != i {
				t.Fatalf("slice %d holds %v: overwritten by a neighbour", i, x)
			}
		}
	}
	if a, b := s.one(), s.one(); a == b {
		t.Error("one returned the same value twice")
	}
}

// TestPackedBytesAreFromConnects: keys, values and headers packed into
// shared blocks are byte for byte what FromConnect returns (null stays
// null, empty stays empty), for every converter with an append path, and
// survive appends to their neighbours.
func TestPackedBytesAreFromConnects(t *testing.T) {
	ctx := context.Background()
	must := func(c any, err error) any {
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	convs := map[string]convert.Converter{
		"json":            must(json.New(map[string]string{}, false)).(convert.Converter),
		"json-schemaless": must(json.New(map[string]string{"schemas.enable": "false"}, false)).(convert.Converter),
		"string":          must(stringconv.New(map[string]string{}, true)).(convert.Converter),
		"string-utf16":    must(stringconv.New(map[string]string{"converter.encoding": "UTF-16"}, true)).(convert.Converter),
	}
	hc := must(simpleheader.NewHeader(map[string]string{})).(convert.HeaderConverter)
	st := connectors.StructBuilder().Field("a", connectors.Int32Schema).MustBuild()
	big := string(bytes.Repeat([]byte("x"), 3*byteBlockSize/2)) // larger than a block
	values := []struct {
		schema *connectors.Schema
		value  any
	}{{nil, nil}, {connectors.OptionalStringSchema, nil}, {connectors.StringSchema, ""}, {connectors.StringSchema, "héllo"},
		{connectors.Int64Schema, int64(-42)}, {nil, map[string]any{"k": []any{1.5, true}}}, {st, connectors.NewStruct(st).MustPut("a", int32(7))},
		{connectors.StringSchema, big}}
	var p pipeline
	for name, c := range convs {
		var packed, want [][]byte
		for _, v := range values {
			w, werr := c.FromConnect(ctx, "t", v.schema, v.value)
			got, gerr := p.fromConnect(ctx, c, "t", v.schema, v.value)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s %#v: error %v, want %v", name, v.value, gerr, werr)
			}
			packed, want = append(packed, got), append(want, w)
		}
		for i := range packed {
			if packed[i] != nil {
				packed[i] = append(packed[i], '!')[:len(packed[i])] // must not reach a neighbour
			}
		}
		for i := range packed {
			if (packed[i] == nil) != (want[i] == nil) || !bytes.Equal(packed[i], want[i]) {
				t.Errorf("%s %#v: packed %q (nil %t), FromConnect %q (nil %t)", name, values[i].value, packed[i], packed[i] == nil, want[i], want[i] == nil)
			}
		}
	}
	for _, v := range values {
		h := connectors.Header{Key: "h", Schema: v.schema, Value: v.value}
		w, werr := hc.FromConnectHeader(ctx, "t", h.Key, h.Schema, h.Value)
		got, gerr := p.fromConnectHeader(ctx, hc, "t", h)
		if (werr == nil) != (gerr == nil) || (got == nil) != (w == nil) || !bytes.Equal(got, w) {
			t.Errorf("header %#v: packed %q, %v; FromConnectHeader %q, %v", v.value, got, gerr, w, werr)
		}
	}
}
