package postgrescdc

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/json"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The bytes JsonConverter (schemas.enable=true) writes for an insert, an
// update, a delete and its tombstone of a customers table: Debezium's
// envelope, source block, key and offsets, pinned in testdata/*.golden.json.
func TestEnvelopeGolden(t *testing.T) {
	cfg := Config{TopicPrefix: "dbserver1", DBName: "inventory", Tombstones: true, DecimalHandling: "precise", TimePrecision: "adaptive"}
	tbl := &table{oid: 1, schema: "public", name: "customers", cols: []*column{
		{name: "id", oid: oidInt4, typmod: -1, key: true},
		{name: "first_name", oid: oidVarchar, typmod: 259},
		{name: "email", oid: oidVarchar, typmod: 259, nullable: true},
	}}
	tbl.build(&cfg)
	fixed := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	tk := &Task{cfg: cfg, partition: map[string]any{PartitionServer: "dbserver1"}, now: func() time.Time { return fixed }}
	str := func(s string) *string { return &s }
	anne, err := tbl.row(map[string]*string{"id": str("1"), "first_name": str("Anne"), "email": str("annek@noanswer.org")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	keyOnly, _ := tbl.row(map[string]*string{"id": str("1")}, nil)
	p := position{lsn: 24023128, commitLSN: 24023200, lastCommit: 24023119, xid: 555, commitTime: fixed.Add(-time.Second)}
	var recs []*connectors.Record
	recs = tk.events(recs, tbl, "c", nil, anne, p)
	recs = tk.events(recs, tbl, "u", nil, anne, p)
	recs = tk.events(recs, tbl, "d", keyOnly, nil, p)
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
	golden := filepath.Join("testdata", "envelope.golden.txt")
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
		t.Errorf("envelope bytes differ from %s:\n%s", golden, out.String())
	}
	if off := recs[0].SourceOffsetMap(); off[OffsetLSN] != int64(24023128) || off[OffsetLSNCommit] != int64(24023200) || off[OffsetTxID] != int64(555) {
		t.Errorf("offset %v", off)
	}
}
