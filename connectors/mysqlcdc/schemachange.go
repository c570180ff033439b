package mysqlcdc

import (
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/go-mysql-org/go-mysql/replication"
)

// The schema-change event schemas (io.debezium.connector.<c>.SchemaChangeKey
// / SchemaChangeValue, io.debezium.connector.schema.Change / Table / Column).
var (
	columnSchema = connectors.StructBuilder().Name("io.debezium.connector.schema.Column").Version(1).
			Field("name", connectors.StringSchema).
			Field("jdbcType", connectors.Int32Schema).
			Field("nativeType", connectors.OptionalInt32Schema).
			Field("typeName", connectors.StringSchema).
			Field("typeExpression", connectors.OptionalStringSchema).
			Field("charsetName", connectors.OptionalStringSchema).
			Field("length", connectors.OptionalInt32Schema).
			Field("scale", connectors.OptionalInt32Schema).
			Field("position", connectors.Int32Schema).
			Field("optional", connectors.OptionalBooleanSchema).
			Field("autoIncremented", connectors.OptionalBooleanSchema).
			Field("generated", connectors.OptionalBooleanSchema).
			Field("comment", connectors.OptionalStringSchema).
			Field("defaultValueExpression", connectors.OptionalStringSchema).
			Field("enumValues", connectors.ArrayOf(connectors.StringSchema).Optional().MustBuild()).
			MustBuild()
	tableSchema = connectors.StructBuilder().Name("io.debezium.connector.schema.Table").Version(1).Optional().
			Field("defaultCharsetName", connectors.OptionalStringSchema).
			Field("primaryKeyColumnNames", connectors.ArrayOf(connectors.StringSchema).Optional().MustBuild()).
			Field("columns", connectors.ArrayOf(columnSchema).MustBuild()).
			Field("comment", connectors.OptionalStringSchema).
			MustBuild()
	changeSchema = connectors.StructBuilder().Name("io.debezium.connector.schema.Change").Version(1).
			Field("type", connectors.StringSchema).
			Field("id", connectors.StringSchema).
			Field("table", tableSchema).
			MustBuild()
)

func schemaChangeKeySchema(fl flavor) *connectors.Schema {
	return connectors.StructBuilder().Name("io.debezium.connector."+fl.connector+".SchemaChangeKey").Version(1).
		Field("databaseName", connectors.StringSchema).MustBuild()
}

func schemaChangeValueSchema(fl flavor, src *connectors.Schema) *connectors.Schema {
	return connectors.StructBuilder().Name("io.debezium.connector."+fl.connector+".SchemaChangeValue").Version(1).
		Field("source", src).
		Field("ts_ms", connectors.Int64Schema).
		Field("databaseName", connectors.OptionalStringSchema).
		Field("schemaName", connectors.OptionalStringSchema).
		Field("ddl", connectors.OptionalStringSchema).
		Field("tableChanges", connectors.ArrayOf(changeSchema).MustBuild()).
		MustBuild()
}

// changeType is the tableChanges type of a DDL verb.
func changeType(verb string, t *table) string {
	switch {
	case t.dropped:
		return "DROP"
	case verb == "CREATE":
		return "CREATE"
	}
	return "ALTER"
}

// schemaChange records a DDL statement in the history and, with
// include.schema.changes, returns its schema change event.
func (tk *Task) schemaChange(db, q, verb string, changed []*table, h *replication.EventHeader, start uint64) ([]*connectors.Record, error) {
	st := &tk.stream
	when := time.Unix(int64(h.Timestamp), 0)
	rp := restartPoint{at: st.at(), gtids: st.gtids.String(), serverID: h.ServerID, tsSec: when.Unix()}
	if st.gtid != "" {
		g := parseGTIDs(rp.gtids)
		g.add(st.gtid)
		rp.gtids = g.String()
	}
	defs := make([]tableDef, len(changed))
	for i, t := range changed {
		defs[i] = t.def(changeType(verb, t))
	}
	if tk.hist != nil {
		if err := tk.hist.record(tk.cfg.prefix(), rp, db, q, defs); err != nil {
			return nil, err
		}
	}
	if !tk.cfg.SchemaChanges {
		return nil, nil
	}
	si := sourceInfo{db: db, when: when, serverID: h.ServerID, gtid: st.gtid, at: binlogPos{file: st.file, pos: start}, thread: -1}
	if len(changed) == 1 {
		si.table = changed[0].name
	}
	return []*connectors.Record{tk.schemaChangeRecord(db, q, defs, si, rp)}, nil
}

// schemaChangeRecord builds the record on the <topic.prefix> topic.
func (tk *Task) schemaChangeRecord(db, q string, defs []tableDef, si sourceInfo, rp restartPoint) *connectors.Record {
	ks, vs := schemaChangeKeySchema(tk.fl), schemaChangeValueSchema(tk.fl, tk.src)
	key := connectors.NewStruct(ks)
	key.Set(0, db)
	val := connectors.NewStruct(vs)
	val.Set(0, tk.source(si))
	val.Set(1, tk.clock().UnixMilli())
	val.Set(2, db)
	val.Set(4, q)
	changes := make([]any, len(defs))
	for i, d := range defs {
		changes[i] = d.toStruct()
	}
	val.Set(5, changes)
	r := connectors.NewSourceRecord(tk.partition, tk.inc.store(rp.offset()), tk.cfg.prefix(), vs, val)
	r.KeySchema, r.Key = ks, key
	return r
}

// toStruct is the io.debezium.connector.schema.Change struct of d.
func (d tableDef) toStruct() *connectors.Struct {
	ch := connectors.NewStruct(changeSchema)
	ch.Set(0, d.Type)
	ch.Set(1, d.ID)
	if d.Table == nil {
		return ch
	}
	tb := connectors.NewStruct(tableSchema)
	if d.Table.DefaultCharset != "" {
		tb.Set(0, d.Table.DefaultCharset)
	}
	pk := make([]any, len(d.Table.PrimaryKey))
	for i, k := range d.Table.PrimaryKey {
		pk[i] = k
	}
	tb.Set(1, pk)
	cols := make([]any, len(d.Table.Columns))
	for i, c := range d.Table.Columns {
		cs := connectors.NewStruct(columnSchema)
		cs.Set(0, c.Name)
		cs.Set(1, c.JdbcType)
		cs.Set(3, c.TypeName)
		cs.Set(4, c.TypeExpression)
		if c.Charset != nil {
			cs.Set(5, *c.Charset)
		}
		if c.Length != nil {
			cs.Set(6, *c.Length)
		}
		if c.Scale != nil {
			cs.Set(7, *c.Scale)
		}
		cs.Set(8, c.Position)
		cs.Set(9, c.Optional)
		cs.Set(10, c.AutoIncremented)
		cs.Set(11, c.Generated)
		if c.Default != nil {
			cs.Set(13, *c.Default)
		}
		if len(c.EnumValues) > 0 {
			ev := make([]any, len(c.EnumValues))
			for j, v := range c.EnumValues {
				ev[j] = v
			}
			cs.Set(14, ev)
		}
		cols[i] = cs
	}
	tb.Set(2, cols)
	ch.Set(2, tb)
	return ch
}

// jdbcTypes is java.sql.Types of each MySQL type, as Debezium's DDL parser assigns them.
var jdbcTypes = map[string]int32{"bit": -7, "tinyint": 5, "smallint": 5, "mediumint": 4, "int": 4, "integer": 4, "bigint": -5,
	"float": 6, "double": 8, "real": 8, "decimal": 3, "numeric": 2, "char": 1, "varchar": 12, "tinytext": 12, "text": 12,
	"mediumtext": 12, "longtext": 12, "json": 1111, "enum": 1, "set": 1, "binary": -2, "varbinary": -3, "tinyblob": -3,
	"blob": 2004, "mediumblob": 2004, "longblob": 2004, "date": 91, "time": 92, "datetime": 93, "timestamp": 2014, "year": 4,
	"geometry": 1111, "linestring": 1111, "polygon": 1111, "multipoint": 1111, "multilinestring": 1111, "multipolygon": 1111,
	"geometrycollection": 1111, "geomcollection": 1111, "point": 1111}

// typeName is Debezium's upper-case type name ("INT UNSIGNED").
func (c *column) typeName() string {
	n := strings.ToUpper(c.dataType)
	if c.unsigned {
		n += " UNSIGNED"
	}
	return n
}
