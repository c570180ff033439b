package transforms_test

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
)

// TestChain5InPlace runs the benchmark's chain: the caller's Struct is left
// alone, the stages after InsertField change its new Struct in place (one
// Struct per record for the value, one for the key), and a record costs at
// most 5 allocations (record, value Struct, key Struct, boxed offset, cast
// string; 12 when every stage built its own Struct).
func TestChain5InPlace(t *testing.T) {
	c, err := transforms.NewChain(benchConfig())
	if err != nil {
		t.Fatal(err)
	}
	recs := decodeAll(t, benchRecords(3))
	before := recs[1].Value.(*connectors.Struct).String()
	out, _, err := c.Apply(recs[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[1].Value.(*connectors.Struct).String(); got != before {
		t.Errorf("the caller's Struct changed:\n%s\nwas\n%s", got, before)
	}
	v := out.Value.(*connectors.Struct)
	if v.Schema() != out.ValueSchema || len(v.Schema().Fields) != 17 || out.Key.(*connectors.Struct).Schema() != out.KeySchema {
		t.Errorf("out = %+v", out)
	}
	if allocs := testing.AllocsPerRun(100, func() { c.Apply(recs[2]) }); allocs > 5 {
		t.Errorf("%v allocations per record, want at most 5", allocs)
	}
}
