package debezium

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/json"
)

// The bytes JsonConverter (schemas.enable=true) writes for a transaction's
// BEGIN and END records on the transaction topic and for a change event's
// transaction block, pinned in testdata/txmeta.golden.txt; the END lists
// its tables in the order of Debezium's HashMap.
func TestTxRecordsGolden(t *testing.T) {
	var c TxContext
	ts := time.Date(2024, 3, 15, 12, 0, 0, 123e6, time.UTC)
	part := map[string]any{"server": "dbserver1"}
	c.Begin("571")
	recs := []*connectors.Record{TxRecord(&c, TxBegin, "571:33727552", "dbserver1.transaction", ts, part, map[string]any{})}
	var blocks []*connectors.Struct
	for _, tb := range []string{"inventory.orders", "inventory.customers", "inventory.orders"} {
		total, order := c.Event(tb)
		blocks = append(blocks, Block("571:33727600", total, order))
	}
	recs = append(recs, TxRecord(&c, TxEnd, "571:33727700", "dbserver1.transaction", ts, part, map[string]any{}))
	keys, _ := json.New(map[string]string{}, true)
	vals, _ := json.New(map[string]string{}, false)
	var out bytes.Buffer
	for _, r := range recs {
		k, err := keys.FromConnect(context.Background(), r.Topic, r.KeySchema, r.Key)
		if err != nil {
			t.Fatal(err)
		}
		v, err := vals.FromConnect(context.Background(), r.Topic, r.ValueSchema, r.Value)
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString(r.Topic + "\nkey: " + string(k) + "\nvalue: " + string(v) + "\n\n")
	}
	for _, b := range blocks {
		v, err := vals.FromConnect(context.Background(), "t", BlockSchema, b)
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString("block: " + string(v) + "\n")
	}
	golden := filepath.Join("testdata", "txmeta.golden.txt")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("transaction bytes differ from %s:\n%s", golden, out.String())
	}
}

// An END lists its tables in java.util.HashMap's iteration order, as
// Debezium's; the orders below are what Java 17 printed for the same keys
// inserted in the same order (a map cleared after 19 keys keeps its 32
// buckets).
func TestTxEndOrder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		first, end []string
		want       string
	}{
		{"two databases", nil, []string{"inventory.customers", "inventory.orders", "inventory.products", "db.t1", "db.t2"},
			"db.t2,db.t1,inventory.customers,inventory.orders,inventory.products"},
		{"oracle tables", nil, []string{"public.types", "public.multi", "public.nokey", "public.full", "public.evolve", "public.toast", "public.mark"},
			"public.multi,public.full,public.nokey,public.toast,public.mark,public.types,public.evolve"},
		{"a resized table", nil, strings.Split("s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i,s.j,s.k,s.l,s.m,s.n,s.o,s.p,s.q,s.r,s.ü", ","),
			"s.ü,s.b,s.a,s.d,s.c,s.f,s.e,s.h,s.g,s.j,s.i,s.l,s.k,s.n,s.m,s.p,s.o,s.r,s.q"},
		{"cleared after growing", strings.Split("s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i,s.j,s.k,s.l,s.m,s.n,s.o,s.p,s.q,s.r,s.ü", ","),
			[]string{"inventory.customers", "inventory.orders", "inventory.products", "db.t1", "db.t2"},
			"db.t2,db.t1,inventory.orders,inventory.products,inventory.customers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c TxContext
			c.Begin("a")
			for _, tb := range tc.first {
				c.Event(tb)
			}
			c.Begin("b")
			for _, tb := range tc.end {
				c.Event(tb)
			}
			if got := endTables(t, &c); got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func endTables(t *testing.T, c *TxContext) string {
	t.Helper()
	r := TxRecord(c, TxEnd, "x", "t", time.Unix(0, 0), nil, nil)
	v, _ := r.Value.(*connectors.Struct).Get("data_collections")
	var names []string
	for _, dc := range v.([]any) {
		n, _ := dc.(*connectors.Struct).Get("data_collection")
		names = append(names, n.(string))
	}
	return strings.Join(names, ",")
}

// A transaction's counts survive an invocation boundary through the
// offset, in Debezium's keys, whatever form the offset store gave the
// numbers.
func TestTxContextOffset(t *testing.T) {
	var c TxContext
	c.Begin("0-1-42")
	c.Event("db.a")
	c.Event("db.b")
	c.Event("db.a")
	off := c.Store(map[string]any{})
	if off["transaction_id"] != "0-1-42" || off["transaction_data_collection_order_db.a"] != int64(2) || off["transaction_data_collection_order_db.b"] != int64(1) {
		t.Fatalf("offset %v", off)
	}
	for _, form := range []map[string]any{off, {"transaction_id": "0-1-42", "transaction_data_collection_order_db.a": float64(2), "transaction_data_collection_order_db.b": float64(1)}} {
		var r TxContext
		r.Load(form)
		if total, order := r.Event("db.a"); r.ID != "0-1-42" || total != 4 || order != 3 {
			t.Errorf("restored from %v: id %q total %d order %d", form, r.ID, total, order)
		}
	}
	var none TxContext
	none.Load(map[string]any{"file": "mysql-bin.000001"})
	if none.InProgress() || len(none.Store(map[string]any{})) != 0 {
		t.Errorf("an offset without a transaction restored one: %+v", none)
	}
}

// The order of a transaction's tables, which an END's data_collections
// follows within a HashMap bucket (these two share one), survives the
// offset too.
func TestTxContextOffsetOrder(t *testing.T) {
	var c TxContext
	c.Begin("file=pb.000001,pos=4")
	c.Event("otx_705623328.orders")
	c.Event("otx_705623328.lines")
	var r TxContext
	r.Load(c.Store(map[string]any{}))
	r.Event("otx_705623328.audit")
	c.Event("otx_705623328.audit")
	if got, want := endTables(t, &r), endTables(t, &c); got != want {
		t.Errorf("restored END lists %s, want %s", got, want)
	}
}
