package connectjson

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// BenchmarkAppendOrder writes a datagen order (a struct of strings, numbers
// and a nested struct) as the JsonConverter's payload.
func BenchmarkAppendOrder(b *testing.B) {
	addr := connectors.StructBuilder().Name("ksql.address").Field("city", connectors.StringSchema).Field("state", connectors.StringSchema).Field("zipcode", connectors.Int64Schema).MustBuild()
	s := connectors.StructBuilder().Name("ksql.orders").Field("ordertime", connectors.Int64Schema).Field("orderid", connectors.Int32Schema).Field("itemid", connectors.StringSchema).Field("orderunits", connectors.Float64Schema).Field("address", addr).MustBuild()
	a := connectors.NewStruct(addr)
	a.Set(0, "City_29")
	a.Set(1, "State_89")
	a.Set(2, int64(54807))
	st := connectors.NewStruct(s)
	for i, v := range []any{int64(1498372886891), int32(2), "Item_866", 9.24232146979394, a} {
		st.Set(i, v)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendValue(buf[:0], s, st, Options{})
	}
}
