package mysqlcdc

import (
	"strings"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// shaped returns t as the binlog's table map describes it. With
// binlog_row_metadata=FULL the table map names every column: when the names
// differ from t's current definition (the event was written before a DDL
// ferry has already applied, or the DDL was missed), the definition is
// rebuilt from the table map, keeping the current definition of every
// column whose name and type family still match. Without full metadata t
// is used as it is.
func (tk *Task) shaped(t *table, e *replication.TableMapEvent) *table {
	names := e.ColumnNameString()
	if len(names) != int(e.ColumnCount) || sameNames(t, names) {
		return t
	}
	key := t.String() + "\x00" + strings.Join(names, "\x00") + "\x00" + string(e.ColumnType)
	if s, ok := tk.stream.shapes[key]; ok {
		return s
	}
	s := &table{db: t.db, name: t.name, charset: t.charset}
	f := newFilter(&tk.cfg)
	pk := map[int]int{} // column index -> position in the key, from 1
	for n, i := range e.PrimaryKey {
		pk[int(i)] = n + 1
	}
	unsigned, collations, enums, sets := e.UnsignedMap(), e.CollationMap(), e.EnumStrValueMap(), e.SetStrValueMap()
	for i, n := range names {
		d := derive(e, i, unsigned[i], collations[i] == 63)
		d.name, d.key, d.keySeq = n, pk[i] > 0, pk[i]
		if avail, nullable := e.Nullable(i); avail {
			d.nullable = nullable
		}
		switch d.dataType {
		case "enum":
			d.values = enums[i]
		case "set":
			d.values = sets[i]
		}
		if cur := t.column(n); cur != nil && family(cur.dataType) == family(d.dataType) && cur.unsigned == d.unsigned {
			c := *cur
			c.key, c.keySeq = d.key, d.keySeq
			d = &c
		} else {
			d.columnType = d.typeName()
			mapColumn(d, &tk.cfg)
			if d.schema == nil {
				warnUnsupported(t, d)
			}
		}
		d.excluded = !f.column(t.db, t.name, n)
		s.cols = append(s.cols, d)
	}
	s.build(tk.cfg.prefix(), tk.src)
	s.rekey(&tk.cfg)
	if tk.stream.shapes == nil {
		tk.stream.shapes = map[string]*table{}
	}
	tk.stream.shapes[key] = s
	return s
}

func sameNames(t *table, names []string) bool {
	if len(t.cols) != len(names) {
		return false
	}
	for i, c := range t.cols {
		if c.name != names[i] {
			return false
		}
	}
	return true
}

// column returns the named column, or nil.
func (t *table) column(name string) *column {
	for _, c := range t.cols {
		if c.name == name {
			return c
		}
	}
	return nil
}

// family groups the types one binlog type code stands for.
func family(dataType string) string {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return "text"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "binary"
	case "int", "integer":
		return "int"
	}
	return dataType
}

// derive is a column's definition from its table-map type and metadata.
func derive(e *replication.TableMapEvent, i int, unsigned, binary bool) *column {
	meta := e.ColumnMeta[i]
	c := &column{unsigned: unsigned, nullable: true}
	pick := func(text, bin string) string {
		if binary {
			return bin
		}
		return text
	}
	switch e.ColumnType[i] {
	case mysql.MYSQL_TYPE_TINY:
		c.dataType = "tinyint"
	case mysql.MYSQL_TYPE_SHORT:
		c.dataType = "smallint"
	case mysql.MYSQL_TYPE_INT24:
		c.dataType = "mediumint"
	case mysql.MYSQL_TYPE_LONG:
		c.dataType = "int"
	case mysql.MYSQL_TYPE_LONGLONG:
		c.dataType = "bigint"
	case mysql.MYSQL_TYPE_FLOAT:
		c.dataType = "float"
	case mysql.MYSQL_TYPE_DOUBLE:
		c.dataType = "double"
	case mysql.MYSQL_TYPE_NEWDECIMAL:
		c.dataType, c.length, c.scale = "decimal", int64(meta>>8), int32(meta&0xff)
	case mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_VAR_STRING:
		c.dataType = pick("varchar", "varbinary")
	case mysql.MYSQL_TYPE_STRING:
		switch byte(meta >> 8) {
		case mysql.MYSQL_TYPE_ENUM:
			c.dataType = "enum"
		case mysql.MYSQL_TYPE_SET:
			c.dataType = "set"
		default:
			c.dataType = pick("char", "binary")
		}
	case mysql.MYSQL_TYPE_BLOB:
		c.dataType = pick("text", "blob")
	case mysql.MYSQL_TYPE_JSON:
		c.dataType = "json"
	case mysql.MYSQL_TYPE_DATE, mysql.MYSQL_TYPE_NEWDATE:
		c.dataType = "date"
	case mysql.MYSQL_TYPE_TIME, mysql.MYSQL_TYPE_TIME2:
		c.dataType, c.fsp = "time", int(meta)
	case mysql.MYSQL_TYPE_DATETIME, mysql.MYSQL_TYPE_DATETIME2:
		c.dataType, c.fsp = "datetime", int(meta)
	case mysql.MYSQL_TYPE_TIMESTAMP, mysql.MYSQL_TYPE_TIMESTAMP2:
		c.dataType, c.fsp = "timestamp", int(meta)
	case mysql.MYSQL_TYPE_YEAR:
		c.dataType = "year"
	case mysql.MYSQL_TYPE_BIT:
		c.dataType, c.length = "bit", int64(meta>>8)*8+int64(meta&0xff)
	default:
		c.dataType = "geometry"
	}
	return c
}
