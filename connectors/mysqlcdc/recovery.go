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
		return 0, connectors.Retriable(fmt.Errorf("mysql cdc: schema history %s: %w", topic, err))
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
	t.rekey(&tk.cfg)
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
		values: unquoteValues(cd.EnumValues), unsigned: strings.Contains(typ, "unsigned")}
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
	event := func(db, table, ddl string, defs []tableDef) {
		si := sourceInfo{db: db, table: table, when: tk.clock(), snapshot: snapshot, at: rp.at, thread: -1}
		out = append(out, tk.schemaChangeRecord(db, ddl, defs, si, rp))
	}
	charsets := map[string][2]string{} // database -> its default charset and collation
	if tk.cfg.SchemaChanges {
		// Debezium's schema snapshot, as its schema change events show it:
		// the server's charset, every captured table dropped, then per
		// database DROP/CREATE DATABASE and USE before its CREATE TABLEs.
		res, err := tk.conn.Execute("SELECT @@character_set_server, @@collation_server")
		if err != nil {
			return nil, fmt.Errorf("reading the server's character set: %w", err)
		}
		cs, _ := res.GetString(0, 0)
		coll, _ := res.GetString(0, 1)
		event("", "", "SET character_set_server="+cs+", collation_server="+coll, nil)
		for _, t := range tk.tables {
			event(t.db, t.name, "DROP TABLE IF EXISTS "+ident(t.db)+"."+ident(t.name), []tableDef{{Type: "DROP", ID: t.id()}})
		}
		for _, t := range tk.tables {
			if _, ok := charsets[t.db]; ok {
				continue
			}
			res, err := tk.conn.Execute("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " + quote(t.db))
			if err != nil || len(res.Values) == 0 {
				return nil, fmt.Errorf("%w %s: reading its database's character set: %v", ErrTable, t, err)
			}
			dcs, _ := res.GetString(0, 0)
			dcoll, _ := res.GetString(0, 1)
			charsets[t.db] = [2]string{dcs, dcoll}
		}
	}
	for i, t := range tk.tables {
		if cs, ok := charsets[t.db]; ok && (i == 0 || tk.tables[i-1].db != t.db) {
			event(t.db, "", "DROP DATABASE IF EXISTS "+ident(t.db), nil)
			event(t.db, "", "CREATE DATABASE "+ident(t.db)+" CHARSET "+cs[0]+" COLLATE "+cs[1], nil)
			event(t.db, "", "USE "+ident(t.db), nil)
		}
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
			event(t.db, t.name, ddl, defs)
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
