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

// TestSinkMemoryReusedBounded: a sink's reused memory hands out, batch after
// batch, the records and byte blocks of the batch before (the same
// addresses), and keeps no more record blocks than the largest batch
// needs, whatever the sizes of the polls that made each batch up.
func TestSinkMemoryReusedBounded(t *testing.T) {
	cases := []struct {
		name  string
		polls [][]int // records of each poll, batch by batch
	}{
		{name: "the same polls", polls: [][]int{{3000, 2000}, {3000, 2000}, {3000, 2000}}},
		{name: "polls of other sizes", polls: [][]int{{3000, 2000}, {2500, 2500}, {1, 4999}, {4999, 1}, {1000, 1000, 1000, 1000, 1000}}},
		{name: "a smaller batch, then a larger one", polls: [][]int{{100}, {5000}, {100}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m sinkMemory
			m.setReuse(true)
			var firstRec *connectors.Record
			var firstByte *byte
			most := 0
			for b, polls := range tc.polls {
				n := 0
				for _, size := range polls {
					block := m.recordBlock(size)
					for range size {
						r := m.record(&block)
						if n == 0 {
							if b > 0 && r != firstRec {
								t.Fatalf("batch %d: its first record is not the batch before's", b)
							}
							firstRec = r
						}
						n++
					}
				}
				text, err := m.bytes.write(func(dst []byte) ([]byte, error) { return append(dst, "x"...), nil })
				if err != nil {
					t.Fatal(err)
				}
				if b > 0 && &text[0] != firstByte {
					t.Fatalf("batch %d: its first byte block is not the batch before's", b)
				}
				firstByte = &text[0]
				most = max(most, n)
				m.rewind()
			}
			if want := (most + slabSize - 1) / slabSize; len(m.records.kept) != want {
				t.Errorf("%d record blocks kept, want %d (batches of at most %d records)", len(m.records.kept), want, most)
			}
		})
	}
}

// TestMemoryPoolLendsTheLast: the memory an invocation gives back is lent
// to the next one for sure (not only while the garbage collector leaves it
// in a sync.Pool) when it is within maxKeptMemory; larger memory is not
// kept for sure.
func TestMemoryPoolLendsTheLast(t *testing.T) {
	cases := []struct {
		name    string
		records int // records of the batch given back
		values  int // bytes printed per record
		kept    bool
	}{
		{name: "a batch of 5,000 orders", records: 5000, values: 140, kept: true},
		{name: "a batch of 10,000 orders", records: 10000, values: 140, kept: true},
		{name: "a batch of larger values", records: 10000, values: 900},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mp memoryPool
			p := &pipeline{}
			mp.lend(p)
			block := p.recordBlock(tc.records)
			first := p.record(&block)
			for range tc.records - 1 {
				p.record(&block)
			}
			value := bytes.Repeat([]byte("x"), tc.values)
			for range tc.records {
				if _, err := p.bytes.write(func(dst []byte) ([]byte, error) { return append(dst, value...), nil }); err != nil {
					t.Fatal(err)
				}
			}
			size := p.size()
			mp.keep(p)
			if p.reused || len(p.records.kept) > 0 {
				t.Fatal("the pipeline still holds the memory it gave back")
			}
			if got := mp.last.Load() != nil; got != tc.kept {
				t.Fatalf("kept for the next invocation: %v, want %v (%d bytes, bound %d)", got, tc.kept, size, maxKeptMemory)
			}
			if !tc.kept {
				return
			}
			next := &pipeline{}
			mp.lend(next)
			block = next.recordBlock(1)
			if r := next.record(&block); r != first {
				t.Error("the next invocation's first record is not the last one's")
			}
		})
	}
}
