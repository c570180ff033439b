package mysqlcdc

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
// update, a delete and its tombstone of Debezium's tutorial customers table
// on MySQL and on MariaDB: envelope, source block, key, pinned in
// testdata/envelope.golden.txt, and Debezium's offset.
func TestEnvelopeGolden(t *testing.T) {
	var out bytes.Buffer
	for _, fl := range []flavor{mysqlFlavor, mariadbFlavor} {
		cfg := Config{TopicPrefix: "dbserver1", Tombstones: true, DecimalHandling: "precise", TimePrecision: "adaptive_time_microseconds",
			BigintUnsigned: "long", BinaryHandling: "bytes"}
		fixed := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
		tk := &Task{fl: fl, cfg: cfg, src: sourceSchema(fl), partition: map[string]any{PartitionServer: "dbserver1"},
			now: func() time.Time { return fixed }}
		dflt := "x"
		tbl := &table{db: "inventory", name: "customers", cols: []*column{
			{name: "id", dataType: "int", columnType: "int(11)", key: true, keySeq: 1},
			{name: "first_name", dataType: "varchar", columnType: "varchar(255)", defaultRaw: &dflt},
			{name: "email", dataType: "varchar", columnType: "varchar(255)", nullable: true},
			{name: "joined", dataType: "datetime", columnType: "datetime(6)", fsp: 6, nullable: true},
		}}
		for _, c := range tbl.cols {
			mapColumn(c, &cfg)
		}
		tbl.build(cfg.prefix(), tk.src)
		anne, err := tbl.row([]any{int32(1001), "Anne", "annek@noanswer.org", "2024-03-15 11:59:59.123456"})
		if err != nil {
			t.Fatal(err)
		}
		renamed, _ := tbl.row([]any{int32(1001), "Anne Marie", nil, nil})
		si := sourceInfo{db: "inventory", table: "customers", when: fixed.Add(-time.Second), serverID: 223344, gtid: "0-1-42",
			at: binlogPos{"mysql-bin.000003", 484}, row: 0, thread: 7}
		rp := restartPoint{at: binlogPos{"mysql-bin.000003", 380}, gtids: "0-1-41", events: 2, rows: 1, serverID: 223344, tsSec: fixed.Unix() - 1}
		var recs []*connectors.Record
		recs = tk.change(recs, tbl, "c", nil, anne, si, rp)
		recs = tk.change(recs, tbl, "u", anne, renamed, si, rp)
		recs = tk.change(recs, tbl, "d", renamed, nil, si, rp)
		keys, _ := json.New(map[string]string{}, true)
		vals, _ := json.New(map[string]string{}, false)
		for _, r := range recs {
			k, err := keys.FromConnect(context.Background(), r.Topic, r.KeySchema, r.Key)
			if err != nil {
				t.Fatal(err)
			}
			v, err := vals.FromConnect(context.Background(), r.Topic, r.ValueSchema, r.Value)
			if err != nil {
				t.Fatal(err)
			}
			out.WriteString(fl.class + " " + r.Topic + "\nkey: " + string(k) + "\nvalue: " + string(v) + "\n\n")
		}
		off := recs[0].SourceOffsetMap()
		if off[OffsetFile] != "mysql-bin.000003" || off[OffsetPos] != int64(380) || off[OffsetEvent] != int64(2) ||
			off[OffsetRow] != int64(1) || off[OffsetGTIDs] != "0-1-41" || off[OffsetServerID] != int64(223344) {
			t.Errorf("offset %v", off)
		}
		if len(recs) != 4 || recs[3].Value != nil {
			t.Errorf("want c, u, d and a tombstone; got %d records", len(recs))
		}
	}
	golden := filepath.Join("testdata", "envelope.golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
}
