package debezium_test

import (
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// message.key.columns as Debezium's CustomKeyMapper reads it: per listed
// column, in the order listed, the table's columns it matches (regular
// expressions, whole and case-insensitive); no match keeps the primary key.
func TestKeyColumns(t *testing.T) {
	cols := []string{"id", "code", "region", "name"}
	for _, tc := range []struct {
		spec, table, want string
	}{
		{"inventory.customers:code", "inventory.customers", "code"},
		{"inventory.customers:region,code", "inventory.customers", "region,code"},
		{"inventory.orders:code;inventory.customers:name", "inventory.customers", "name"},
		{"(.*).customers:CODE", "shop.customers", "code"},
		{"inventory.customers:co.*", "inventory.customers", "code"},
		{"inventory.customers:nope", "inventory.customers", ""},
		{"inventory.cust:code", "inventory.customers", ""},
		{"", "inventory.customers", ""},
	} {
		k, err := debezium.ParseKeyColumns(tc.spec)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if got := strings.Join(k.Columns(tc.table, cols), ","); got != tc.want {
			t.Errorf("%q on %s: got %q, want %q", tc.spec, tc.table, got, tc.want)
		}
	}
	for _, bad := range []string{"inventory.customers", "a.b:", "a.b:c:d", "a.b:(x"} {
		if _, err := debezium.ParseKeyColumns(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Rekey replaces a table's key schema and key fields, and leaves a table
// it does not name alone.
func TestRekey(t *testing.T) {
	value := connectors.StructBuilder().Name("p.db.t.Value").Optional().
		Field("id", connectors.Int32Schema).Field("code", connectors.OptionalStringSchema).MustBuild()
	k, _ := debezium.ParseKeyColumns("db.t:code")
	tb := debezium.Table{Key: connectors.StructBuilder().Name("p.db.t.Key").Field("id", connectors.Int32Schema).MustBuild(), KeyNames: []string{"id"}}
	other := tb
	k.Rekey(&tb, "db.t", value, "p.db.t.Key")
	k.Rekey(&other, "db.u", value, "p.db.u.Key")
	if len(tb.Key.Fields) != 1 || tb.Key.Fields[0].Name != "code" || !tb.Key.Fields[0].Schema.Optional || tb.KeyNames[0] != "code" || tb.Key.Name != "p.db.t.Key" {
		t.Errorf("rekeyed: %+v %v", tb.Key, tb.KeyNames)
	}
	if other.KeyNames[0] != "id" {
		t.Errorf("a table not named was rekeyed: %v", other.KeyNames)
	}
}
