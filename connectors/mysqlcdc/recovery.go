package mysqlcdc

import (
	"context"
	"fmt"
	"strings"

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
	for _, hr := range recs {
		if s, _ := hr.Source["server"].(string); s != tk.cfg.prefix() {
			continue
		}
		rp, err := parseOffset(hr.Position)
		if err != nil || start.before(rp.at) {
			continue
		}
		for _, d := range hr.TableChanges {
			tk.applyDef(d, f)
		}
	}
	return nil
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
	keys := map[string]bool{}
	for _, k := range d.Table.PrimaryKey {
		keys[k] = true
	}
	for _, cd := range d.Table.Columns {
		c := cd.column(keys[cd.Name])
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
