package mysqlcdc

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// listEnds is the number of records in the (single-partition) history
// topic; 0 when it does not exist yet.
func listEnds(ctx context.Context, cl *kgo.Client, topic string) (int64, error) {
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("mysql cdc: schema history %s: %w", topic, err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n, nil
}

// loadHistory replays the schema history up to the start position: each
// table takes the definition it had there, so older binlog events are read
// with the columns they were written with. Without a history the current
// definitions are used.
func (tk *Task) loadHistory(ctx context.Context) error {
	if tk.hist == nil {
		return nil
	}
	recs, err := tk.hist.readAll(ctx)
	if err != nil {
		return err
	}
	start := tk.stream.start.at
	f := newFilter(&tk.cfg)
	seen := false
	for _, hr := range recs {
		if s, _ := hr.Source["server"].(string); s != tk.cfg.prefix() {
			continue
		}
		seen = true
		rp, err := parseOffset(hr.Position)
		if err != nil || start.before(rp.at) {
			continue
		}
		for _, d := range hr.TableChanges {
			tk.applyDef(d, f)
		}
	}
	if !seen { // a first start, or a Debezium offset without ferry's history
		tk.pending, err = tk.seedHistory(tk.stream.start, "")
	}
	return err
}

// applyDef sets a captured table's definition from a history entry.
func (tk *Task) applyDef(d tableDef, f *filter) {
	db, name, ok := parseTableID(d.ID)
	if !ok || !f.table(db, name) {
		return
	}
	full := db + "." + name
	if d.Type == "DROP" || d.Table == nil {
		if t := tk.byName[full]; t != nil {
			tk.forget(t)
		}
		return
	}
	t := &table{db: db, name: name, charset: d.Table.DefaultCharset}
	keys := map[string]int{}
	for i, k := range d.Table.PrimaryKey {
		keys[k] = i + 1
	}
	for _, cd := range d.Table.Columns {
		c := cd.column(keys[cd.Name] > 0)
		c.keySeq = keys[cd.Name]
		c.excluded = !f.column(db, name, c.name)
		mapColumn(c, &tk.cfg)
		t.cols = append(t.cols, c)
	}
	t.build(tk.cfg.prefix(), tk.src)
	if old := tk.byName[full]; old != nil {
		*old = *t
		return
	}
	tk.tables = append(tk.tables, t)
	tk.byName[full] = t
}

// column rebuilds a column from its history entry.
func (cd columnDoc) column(key bool) *column {
	typ := strings.ToLower(cd.TypeName)
	c := &column{name: cd.Name, nullable: cd.Optional, key: key, autoInc: cd.AutoIncremented, defaultRaw: cd.Default,
		values: cd.EnumValues, unsigned: strings.Contains(typ, "unsigned")}
	c.dataType = strings.Fields(typ + " x")[0]
	c.columnType = typ
	if cd.Charset != nil {
		c.charset = *cd.Charset
	}
	if cd.Length != nil {
		c.length = int64(*cd.Length)
	}
	if cd.Scale != nil {
		c.scale = *cd.Scale
	}
	if cd.FSP != nil {
		c.fsp = int(*cd.FSP)
	} else if cd.Length != nil && (c.dataType == "datetime" || c.dataType == "time" || c.dataType == "timestamp") {
		c.fsp = int(*cd.Length)
	}
	return c
}

// parseTableID reads "db"."table" (Debezium's quoting) or db.table.
func parseTableID(id string) (string, string, bool) {
	if strings.HasPrefix(id, `"`) {
		parts := strings.Split(id, `"."`)
		if len(parts) == 2 {
			return strings.TrimPrefix(parts[0], `"`), strings.TrimSuffix(parts[1], `"`), true
		}
		return "", "", false
	}
	return strings.Cut(id, ".")
}

// seedHistory records the current definition of every captured table at
// rp (the snapshot's position, or the first streaming position) when the
// history has nothing for this server yet, and returns their schema change
// events (CREATE TABLE as SHOW CREATE TABLE prints it) when
// include.schema.changes is set.
func (tk *Task) seedHistory(rp restartPoint, snapshot string) ([]*connectors.Record, error) {
	var out []*connectors.Record
	for _, t := range tk.tables {
		ddl, err := tk.showCreate(t)
		if err != nil {
			return nil, err
		}
		defs := []tableDef{t.def("CREATE")}
		if tk.hist != nil {
			if err := tk.hist.record(tk.cfg.prefix(), rp, t.db, ddl, defs); err != nil {
				return nil, err
			}
		}
		if tk.cfg.SchemaChanges {
			si := sourceInfo{db: t.db, table: t.name, when: tk.clock(), snapshot: snapshot, at: rp.at, thread: -1}
			out = append(out, tk.schemaChangeRecord(t.db, ddl, defs, si, rp))
		}
	}
	return out, nil
}

func (tk *Task) showCreate(t *table) (string, error) {
	res, err := tk.conn.Execute("SHOW CREATE TABLE " + ident(t.db) + "." + ident(t.name))
	if err != nil {
		return "", fmt.Errorf("%w %s: SHOW CREATE TABLE: %v", ErrTable, t, err)
	}
	s, _ := res.GetString(0, 1)
	return s, nil
}
