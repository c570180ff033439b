package mysqlcdc

import (
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// incTask is a task capturing db.a (INT key), db.b (composite INT, VARCHAR
// key) and db.c, with signals read from db.sig.
func incTask(t *testing.T) *Task {
	t.Helper()
	cfg := Config{TopicPrefix: "srv", DecimalHandling: "precise", TimePrecision: "adaptive_time_microseconds", BigintUnsigned: "long",
		BinaryHandling: "bytes", SignalTable: "db.sig", SignalChannels: []string{"source"}, IncChunkSize: 2, Watermarking: "insert_insert"}
	tk := &Task{fl: mariadbFlavor, cfg: cfg, src: sourceSchema(mariadbFlavor), partition: map[string]any{PartitionServer: "srv"}}
	mk := func(name string, cols ...*column) *table {
		tb := &table{db: "db", name: name, cols: cols}
		for _, c := range cols {
			mapColumn(c, &cfg)
		}
		tb.build(cfg.prefix(), tk.src)
		return tb
	}
	tk.tables = []*table{
		mk("a", &column{name: "id", dataType: "int", columnType: "int(11)", key: true, keySeq: 1}),
		mk("b", &column{name: "k2", dataType: "varchar", columnType: "varchar(10)", key: true, keySeq: 2},
			&column{name: "k1", dataType: "bigint", columnType: "bigint(20)", key: true, keySeq: 1}),
		mk("c", &column{name: "id", dataType: "int", columnType: "int(11)", key: true, keySeq: 1}),
	}
	tk.index()
	return tk
}

func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		channels []string
		signals  [][3]string // id, type, data
		queue    []string
	}{
		{"one table", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.b"], "type": "incremental"}`}}, []string{"db.b"}},
		{"default type, order kept, queued once", nil, [][3]string{
			{"s1", "execute-snapshot", `{"data-collections": ["db.c", "db.a"]}`},
			{"s2", "execute-snapshot", `{"data-collections": ["db.a", "db.b"]}`}}, []string{"db.c", "db.a", "db.b"}},
		{"regular expression", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db\\.[ac]"]}`}}, []string{"db.a", "db.c"}},
		{"a table not captured", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.zz"]}`}}, nil},
		{"blocking is not run", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.a"], "type": "blocking"}`}}, nil},
		{"bad JSON is ignored", nil, [][3]string{{"s1", "execute-snapshot", `{`}}, nil},
		{"stop one", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.a", "db.b"]}`},
			{"s2", "stop-snapshot", `{"data-collections": ["db.a"], "type": "incremental"}`}}, []string{"db.b"}},
		{"stop all", nil, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.a", "db.b"]}`},
			{"s2", "stop-snapshot", `{"type": "incremental"}`}}, nil},
		{"source channel disabled", []string{"kafka"}, [][3]string{{"s1", "execute-snapshot", `{"data-collections": ["db.a"]}`}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := incTask(t)
			if tc.channels != nil {
				tk.cfg.SignalChannels = tc.channels
			}
			for _, s := range tc.signals {
				tk.signal(s[0], s[1], s[2])
			}
			if !reflect.DeepEqual(tk.inc.queue, tc.queue) && len(tk.inc.queue)+len(tc.queue) > 0 {
				t.Fatalf("queue %v, want %v", tk.inc.queue, tc.queue)
			}
		})
	}
}

func readRecord(tk *Task, tb *table, id int32) *connectors.Record {
	after, _ := tb.row([]any{id})
	return debezium.Event(&tb.dbz, debezium.Change{Op: debezium.OpRead, After: after, Source: tk.source(sourceInfo{db: "db", table: tb.name}),
		Partition: tk.partition})[0]
}

// TestWindowClose drives two chunks of db.a through their watermarks: at
// each high watermark's commit the rows left are emitted with the chunk's
// last key in the offset; the table's last chunk moves to db.c.
func TestWindowClose(t *testing.T) {
	tk := incTask(t)
	tk.signal("s1", debezium.SignalExecuteSnapshot, `{"data-collections": ["db.a", "db.c"]}`)
	a := tk.byName["db.a"]
	s := &tk.inc
	s.max = []any{int32(4)}
	for _, step := range []struct {
		ids     []int32
		changed []int32
		ends    bool
		emitted []int32
		queue   []string
		last    []any
	}{
		{ids: []int32{1, 2}, changed: []int32{2}, emitted: []int32{1}, queue: []string{"db.a", "db.c"}, last: []any{int32(2)}},
		{ids: []int32{3, 4}, ends: true, emitted: []int32{3, 4}, queue: []string{"db.c"}, last: nil},
	} {
		keys := make([]string, len(step.ids))
		recs := make([]*connectors.Record, len(step.ids))
		for i, id := range step.ids {
			recs[i] = readRecord(tk, a, id)
			after, _ := a.row([]any{id})
			keys[i] = keyID(a, after)
		}
		s.win.Start("chunk", keys, recs)
		s.chunk, s.ends = []any{step.ids[len(step.ids)-1]}, step.ends
		tk.signal("chunk-open", debezium.SignalWindowOpen, "")
		for _, id := range step.changed {
			row, _ := a.row([]any{id})
			s.win.Changed(keyID(a, row))
		}
		tk.signal("chunk-close", debezium.SignalWindowClose, "")
		got := tk.commit()
		var ids []int32
		for _, r := range got {
			after, _ := r.Value.(*connectors.Struct).Get("after")
			v, _ := after.(*connectors.Struct).Get("id")
			ids = append(ids, v.(int32))
		}
		if !reflect.DeepEqual(ids, step.emitted) || !reflect.DeepEqual(s.queue, step.queue) || !reflect.DeepEqual(s.last, step.last) {
			t.Fatalf("emitted %v, queue %v, last %v; want %v, %v, %v", ids, s.queue, s.last, step.emitted, step.queue, step.last)
		}
		enc, _ := got[0].SourceOffset[debezium.OffsetIncrementalPrimaryKey].(string)
		if k, _ := debezium.DecodeKey(enc); !reflect.DeepEqual(k, step.last) {
			t.Fatalf("offset key %v, want %v", k, step.last)
		}
	}
}

// TestIncrementalOffset round-trips the snapshot's position through the
// offset, and reads one Debezium wrote (an INT key of 100).
func TestIncrementalOffset(t *testing.T) {
	tk := incTask(t)
	tk.inc = incSnapshot{queue: []string{"db.b", "db.a"}, last: []any{int64(7), "x'y"}, max: []any{int64(9), "z"}, initial: true}
	off := tk.inc.store(map[string]any{})
	back := incTask(t)
	if err := back.restoreIncremental(off); err != nil {
		t.Fatal(err)
	}
	if got := back.inc; !reflect.DeepEqual(got.queue, tk.inc.queue) || !reflect.DeepEqual(got.last, tk.inc.last) ||
		!reflect.DeepEqual(got.max, tk.inc.max) || !got.initial {
		t.Fatalf("restored %+v, want %+v", got, tk.inc)
	}
	dbz := map[string]any{
		debezium.OffsetIncrementalCollections: `[{"incremental_snapshot_collections_id":"db.a","incremental_snapshot_collections_additional_condition":null,"incremental_snapshot_collections_surrogate_key":null}]`,
		debezium.OffsetIncrementalPrimaryKey: "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001" +
			"737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000064",
		debezium.OffsetIncrementalMaximumKey: nil,
	}
	fromDbz := incTask(t)
	if err := fromDbz.restoreIncremental(dbz); err != nil {
		t.Fatal(err)
	}
	if got := fromDbz.inc; !reflect.DeepEqual(got.queue, []string{"db.a"}) || !reflect.DeepEqual(got.last, []any{int32(100)}) || got.max != nil {
		t.Fatalf("restored %+v from Debezium's offset", got)
	}
	if off := (&incSnapshot{}).store(map[string]any{"file": "f"}); len(off) != 1 {
		t.Fatalf("no snapshot running, offset %v", off)
	}
}

func TestIncChunkQuery(t *testing.T) {
	tk := incTask(t)
	for _, tc := range []struct {
		table     string
		last, max []any
		want      string
	}{
		{"db.a", nil, []any{int32(9)}, "SELECT `id` FROM `db`.`a` WHERE `id` <= 9 ORDER BY `id` LIMIT 2"},
		{"db.a", []any{int32(4)}, []any{int32(9)}, "SELECT `id` FROM `db`.`a` WHERE `id` <= 9 AND `id` > 4 ORDER BY `id` LIMIT 2"},
		{"db.b", []any{int64(1), "o'k"}, []any{int64(3), "z"},
			"SELECT `k2`, `k1` FROM `db`.`b` WHERE ((`k1` < 3) OR (`k1` = 3 AND `k2` <= 'z')) AND ((`k1` > 1) OR (`k1` = 1 AND `k2` > 'o\\'k')) ORDER BY `k1`, `k2` LIMIT 2"},
	} {
		tk.inc.last, tk.inc.max = tc.last, tc.max
		if got := tk.incChunkQuery(tk.byName[tc.table]); got != tc.want {
			t.Errorf("query\n%s\nwant\n%s", got, tc.want)
		}
	}
}

func TestKeyValue(t *testing.T) {
	for _, tc := range []struct {
		col  column
		in   any
		want any
	}{
		{column{dataType: "int"}, int64(5), int32(5)},
		{column{dataType: "int", unsigned: true}, uint64(5), int64(5)},
		{column{dataType: "smallint"}, int64(-5), int32(-5)},
		{column{dataType: "bigint"}, int64(5), int64(5)},
		{column{dataType: "bigint", unsigned: true}, uint64(1 << 63), "9223372036854775808"},
		{column{dataType: "varchar"}, []byte("ab"), "ab"},
		{column{dataType: "date"}, "2024-01-02", "2024-01-02"},
	} {
		if got := keyValue(&tc.col, tc.in); got != tc.want {
			t.Errorf("keyValue(%s, %#v) = %#v, want %#v", tc.col.dataType, tc.in, got, tc.want)
		}
	}
}

// TestSchemaChangeDropsWindow: a DDL on the table being read drops the
// open window (its chunk is read again); one on another table does not.
func TestSchemaChangeDropsWindow(t *testing.T) {
	for _, tc := range []struct {
		ddl     []string
		pending bool
	}{{[]string{"db.a"}, false}, {[]string{"db.c"}, true}, {nil, true}} {
		s := &incSnapshot{queue: []string{"db.a", "db.c"}}
		s.win.Start("chunk", []string{"k"}, []*connectors.Record{nil})
		s.schemaChanged(tc.ddl)
		if s.win.Pending() != tc.pending {
			t.Errorf("DDL on %v: window pending %v, want %v", tc.ddl, s.win.Pending(), tc.pending)
		}
	}
}

func TestKeyBound(t *testing.T) {
	cols, lits := []string{"a", "b", "c"}, []string{"1", "'x'", "3"}
	for _, tc := range []struct {
		n    int
		op   string
		want string
	}{
		{1, ">", "a > 1"},
		{1, "<=", "a <= 1"},
		{3, ">", "((a > 1) OR (a = 1 AND b > 'x') OR (a = 1 AND b = 'x' AND c > 3))"},
		{3, "<=", "((a < 1) OR (a = 1 AND b < 'x') OR (a = 1 AND b = 'x' AND c <= 3))"},
	} {
		if got := keyBound(cols[:tc.n], lits[:tc.n], tc.op); got != tc.want {
			t.Errorf("keyBound(%d columns, %s) = %s, want %s", tc.n, tc.op, got, tc.want)
		}
	}
}
