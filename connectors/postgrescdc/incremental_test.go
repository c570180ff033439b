package postgrescdc

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/jackc/pglogrepl"
)

const testSignalOID = 2

// incTask is a task capturing public.t (id INT PRIMARY KEY, v INT) with the
// signalling table public.sig, inside a transaction of the stream.
func incTask() (*Task, *table) {
	cfg := Config{TopicPrefix: "srv", DBName: "db", Tombstones: true, DecimalHandling: "precise", TimePrecision: "adaptive", SignalChannels: []string{"source"}}
	t := &table{oid: 1, schema: "public", name: "t", cols: []*column{
		{name: "id", oid: oidInt4, typmod: -1, key: true, keyPos: 1},
		{name: "v", oid: oidInt4, typmod: -1, nullable: true},
	}}
	t.build(&cfg)
	tk := &Task{cfg: cfg, partition: map[string]any{PartitionServer: "srv"}, tables: []*table{t}, byOID: map[uint32]*table{1: t}}
	tk.stream.rel = map[uint32][]string{1: {"id", "v"}, testSignalOID: {"id", "type", "data"}}
	tk.stream.cur = &txn{xid: 7, final: 1000}
	tk.inc.signal = testSignalOID
	return tk, t
}

// tuple is a pgoutput tuple of text values; "" is a null.
func tuple(vals ...string) *pglogrepl.TupleData {
	td := &pglogrepl.TupleData{}
	for _, v := range vals {
		c := &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeText, Data: []byte(v)}
		if v == "" {
			c.DataType = pglogrepl.TupleDataTypeNull
		}
		td.Columns = append(td.Columns, c)
	}
	return td
}

// The connector's side of the DBLog window: a chunk of rows 1-4 is pending;
// the stream then carries the events (watermarks of chunk "c1" or another,
// inserts, updates, deletes and key changes); the read events emitted at
// the high watermark, and the snapshot position in each one's offset.
func TestIncrementalChunkInStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		max    string   // the table's largest key: the chunk ends the table when it is 4
		events []string // open, close, close-other, c:<id>, u:<id>, d:<id>, k:<old>><new>
		reads  []string // ids of the read events, in order
		after  []string // the position each read's offset names
		queue  bool     // the last read's offset still names the table
	}{
		{"no change", "9", []string{"open", "close"}, []string{"1", "2", "3", "4"}, []string{"1", "2", "3", "4"}, true},
		{"updated and deleted rows dropped", "9", []string{"open", "u:2", "d:3", "close"}, []string{"1", "4"}, []string{"1", "4"}, true},
		{"changes before the window kept", "9", []string{"u:2", "open", "close"}, []string{"1", "2", "3", "4"}, []string{"1", "2", "3", "4"}, true},
		{"last rows dropped: the position is the chunk's end", "9", []string{"open", "d:4", "u:3", "close"}, []string{"1", "2"}, []string{"1", "4"}, true},
		{"key change drops old and new key", "9", []string{"open", "k:1>3", "close"}, []string{"2", "4"}, []string{"2", "4"}, true},
		{"insert in the window", "9", []string{"open", "c:2", "close"}, []string{"1", "3", "4"}, []string{"1", "3", "4"}, true},
		{"another chunk's watermarks", "9", []string{"open-other", "u:1", "close-other"}, nil, nil, true},
		{"chunk ends the table", "4", []string{"open", "close"}, []string{"1", "2", "3", "4"}, []string{"1", "2", "3", ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, tbl := incTask()
			tk.inc.queue, tk.inc.max = []string{"public.t"}, []string{tc.max}
			var keys []string
			var rows []snapRow
			for _, id := range []string{"1", "2", "3", "4"} {
				after, _ := tbl.row(map[string]*string{"id": &id}, nil)
				keys, rows = append(keys, id), append(rows, snapRow{t: tbl, key: []string{id}, after: after})
			}
			tk.inc.window.Start("c1", keys, rows)
			tk.inc.last, tk.inc.done = []string{"4"}, tc.max == "4"
			for i, ev := range tc.events {
				x := pglogrepl.XLogData{WALStart: pglogrepl.LSN(100 + i)}
				kind, arg, _ := strings.Cut(ev, ":")
				var err error
				switch kind {
				case "open", "close", "open-other", "close-other":
					chunk, typ := "c1", debezium.SignalWindowOpen
					if strings.HasSuffix(kind, "-other") {
						chunk = "c0"
					}
					if strings.HasPrefix(kind, "close") {
						typ = debezium.SignalWindowClose
					}
					id := chunk + "-" + strings.TrimSuffix(kind, "-other")
					err = tk.change(testSignalOID, "c", 0, nil, tuple(id, typ, "{}"), x)
				case "c":
					err = tk.change(1, "c", 0, nil, tuple(arg, "1"), x)
				case "u":
					err = tk.change(1, "u", 0, nil, tuple(arg, "2"), x)
				case "d":
					err = tk.change(1, "d", 'K', tuple(arg, ""), nil, x)
				case "k":
					old, nu, _ := strings.Cut(arg, ">")
					err = tk.change(1, "u", 'K', tuple(old, ""), tuple(nu, "3"), x)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			var reads, after []string
			var last *connectors.Record
			for _, r := range tk.stream.cur.recs {
				if env, _ := r.Value.(*connectors.Struct); env != nil {
					if op, _ := env.Get("op"); op == debezium.OpRead {
						id, _ := r.Key.(*connectors.Struct).Get("id")
						reads = append(reads, fmt.Sprint(id))
						pos, _ := r.SourceOffset[OffsetIncAfter].(string)
						after = append(after, strings.Trim(pos, `[]"`))
						last = r
					}
				}
			}
			if !reflect.DeepEqual(reads, tc.reads) || !reflect.DeepEqual(after, tc.after) {
				t.Fatalf("reads %v with positions %v, want %v with %v", reads, after, tc.reads, tc.after)
			}
			if last != nil {
				_, queued := last.SourceOffset[debezium.OffsetIncrementalCollections]
				if queued != tc.queue {
					t.Fatalf("last read's offset names the table: %v, want %v (%v)", queued, tc.queue, last.SourceOffset)
				}
				lsn, _ := recordSource(last).Get("lsn")
				if lsn != nil || snapshotMark(last) != "incremental" {
					t.Fatalf("read event source lsn %v snapshot %v: want snapshot incremental, no lsn", lsn, snapshotMark(last))
				}
			}
		})
	}
}

// The snapshot's position survives an invocation through the offset; a
// position Debezium wrote (Java-serialized keys) restarts the table.
func TestIncrementalOffsetRoundTrip(t *testing.T) {
	in := incState{queue: []string{"public.a", "public.b"}, after: []string{"7", "x"}, max: []string{"90", "z"}, corr: "adhoc"}
	off := map[string]any{}
	in.stamp(off)
	var back incState
	if err := back.restore(off); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.queue, in.queue) || !reflect.DeepEqual(back.after, in.after) || !reflect.DeepEqual(back.max, in.max) || back.corr != "adhoc" {
		t.Fatalf("restored %+v from %v", back, off)
	}
	dbz := map[string]any{debezium.OffsetIncrementalCollections: debezium.EncodeCollections([]string{"public.a"}, nil),
		debezium.OffsetIncrementalPrimaryKey: "aced0005", debezium.OffsetIncrementalMaximumKey: "aced0005"}
	var fromDbz incState
	if err := fromDbz.restore(dbz); err != nil || !reflect.DeepEqual(fromDbz.queue, []string{"public.a"}) || fromDbz.after != nil {
		t.Fatalf("from Debezium's offset: %+v %v", fromDbz, err)
	}
	// Debezium 3.6.1's offset in the reference Kafka Connect, mid-snapshot of
	// a table keyed by an INT: last key 4, largest 250.
	const (
		javaInt4   = "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000004"
		javaInt250 = "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870000000fa"
	)
	written := map[string]any{}
	ints := incState{queue: []string{"s.items"}, after: []string{"4"}, max: []string{"250"}, kinds: []uint32{oidInt4}}
	ints.stamp(written)
	if written[debezium.OffsetIncrementalPrimaryKey] != javaInt4 || written[debezium.OffsetIncrementalMaximumKey] != javaInt250 {
		t.Fatalf("Debezium's keys written as %v", written)
	}
	dbz[debezium.OffsetIncrementalPrimaryKey], dbz[debezium.OffsetIncrementalMaximumKey] = javaInt4, javaInt250
	var resumed incState
	if err := resumed.restore(dbz); err != nil || !reflect.DeepEqual(resumed.after, []string{"4"}) || !reflect.DeepEqual(resumed.max, []string{"250"}) {
		t.Fatalf("from Debezium's mid-snapshot offset: %+v %v", resumed, err)
	}
	if _, ok := javaKey([]uint32{oidUUID}, []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}); ok {
		t.Fatal("a uuid key written in Debezium's form (its JDBC class is java.util.UUID, not String)")
	}
	var none incState
	none.stamp(off)
	if err := none.restore(map[string]any{OffsetLSN: 1}); err != nil || none.busy() {
		t.Fatalf("an offset without a snapshot: %+v %v", none, err)
	}
}

// execute-snapshot and stop-snapshot signals in the stream.
func TestSnapshotSignals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		signals [][2]string // type, data
		want    []string
	}{
		{"execute", [][2]string{{"execute-snapshot", `{"data-collections": ["public.t"], "type": "incremental"}`}}, []string{"public.t"}},
		{"regular expression", [][2]string{{"execute-snapshot", `{"data-collections": ["public\\..*"]}`}}, []string{"public.t"}},
		{"not captured", [][2]string{{"execute-snapshot", `{"data-collections": ["public.other"]}`}}, nil},
		{"twice", [][2]string{{"execute-snapshot", `{"data-collections": ["public.t"]}`}, {"execute-snapshot", `{"data-collections": ["public.t"]}`}}, []string{"public.t"}},
		{"blocking refused", [][2]string{{"execute-snapshot", `{"data-collections": ["public.t"], "type": "blocking"}`}}, nil},
		{"stopped", [][2]string{{"execute-snapshot", `{"data-collections": ["public.t"]}`}, {"stop-snapshot", `{"data-collections": []}`}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, _ := incTask()
			for i, sg := range tc.signals {
				if err := tk.change(testSignalOID, "c", 0, nil, tuple(fmt.Sprint("s", i), sg[0], sg[1]), pglogrepl.XLogData{}); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(tk.inc.queue, tc.want) && (len(tc.want) > 0 || len(tk.inc.queue) > 0) {
				t.Fatalf("queue %v, want %v", tk.inc.queue, tc.want)
			}
		})
	}
}

// Keys written in Debezium's form read back as the same text, per column type.
func TestJavaKeyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		kinds []uint32
		key   []string
		ok    bool
	}{
		{[]uint32{oidInt2}, []string{"-7"}, true},
		{[]uint32{oidInt4, oidText}, []string{"2147483647", "é x"}, true},
		{[]uint32{oidInt8, oidVarchar, oidBPChar}, []string{"-9223372036854775808", "", "ab"}, true},
		{[]uint32{oidInt4}, []string{"not a number"}, false},
		{[]uint32{oidUUID}, []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, false},
		{[]uint32{oidInt4, oidInt4}, []string{"1"}, false},
	} {
		java, ok := javaKey(tc.kinds, tc.key)
		if ok != tc.ok {
			t.Fatalf("%v %v: encodable %v, want %v", tc.kinds, tc.key, ok, tc.ok)
		}
		if !ok {
			continue
		}
		back, err := textKey(java)
		if err != nil || !reflect.DeepEqual(back, tc.key) {
			t.Fatalf("%v: read back %v %v", tc.key, back, err)
		}
	}
}
