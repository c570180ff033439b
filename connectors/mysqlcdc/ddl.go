package mysqlcdc

import (
	"regexp"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/go-mysql-org/go-mysql/replication"
)

// ddlTable finds the tables a DDL statement changes: CREATE / ALTER / DROP /
// TRUNCATE TABLE and RENAME TABLE (old and new names).
var ddlTable = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("(?is)^\\s*(?:/\\*.*?\\*/\\s*)*(CREATE|ALTER|DROP|TRUNCATE|RENAME)\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?(?:ONLINE\\s+|IGNORE\\s+)?TABLE\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?(.+)")
})

var tableName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("^\\s*(`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(`(?:[^`]|``)+`|[\\w$]+))?")
})

func unquote(s string) string {
	if strings.HasPrefix(s, "`") {
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return s
}

// ddlTargets returns the verb and the db.table names a DDL statement names.
func ddlTargets(defaultDB, q string) (string, []string) {
	m := ddlTable().FindStringSubmatch(q)
	if m == nil {
		return "", nil
	}
	verb, rest := strings.ToUpper(m[1]), m[2]
	var out []string
	for {
		n := tableName().FindStringSubmatch(rest)
		if n == nil {
			break
		}
		db, name := defaultDB, unquote(n[1])
		if n[2] != "" {
			db, name = name, unquote(n[2])
		}
		out = append(out, db+"."+name)
		rest = rest[len(n[0]):]
		// RENAME TABLE a TO b, c TO d / DROP TABLE a, b
		r := regexp.MustCompile(`(?i)^\s*(?:TO|,)\s*`).FindString(rest)
		if r == "" || verb != "RENAME" && verb != "DROP" {
			break
		}
		rest = rest[len(r):]
	}
	return verb, out
}

// ddl applies a DDL statement to the captured tables: each table it names
// is reloaded from the catalog (or forgotten when dropped), recorded in the
// schema history and, with include.schema.changes, announced on the
// <topic.prefix> topic.
func (tk *Task) ddl(db, q string, h *replication.EventHeader, start uint64) ([]*connectors.Record, error) {
	verb, names := ddlTargets(db, q)
	tk.stream.shapes = nil
	tk.inc.schemaChanged(names)
	f := newFilter(&tk.cfg)
	var changed []*table
	for _, full := range names {
		tdb, tname, _ := strings.Cut(full, ".")
		if !f.table(tdb, tname) {
			continue
		}
		t := tk.byName[full]
		exists, err := tk.tableExists(tdb, tname)
		if err != nil {
			return nil, err
		}
		if !exists {
			if t != nil {
				tk.forget(t)
				changed = append(changed, &table{db: tdb, name: tname, dropped: true})
			}
			continue
		}
		if t == nil {
			t = &table{db: tdb, name: tname}
			tk.tables = append(tk.tables, t)
			tk.byName[full] = t
		}
		if err := loadColumns(tk.conn, t, &tk.cfg, tk.fl, tk.src); err != nil {
			if err := tk.failOrWarn(err); err != nil {
				return nil, err
			}
			continue
		}
		changed = append(changed, t)
	}
	if verb == "" || len(changed) == 0 && !f.database(db) {
		return nil, nil
	}
	if db == "" && len(changed) > 0 {
		db = changed[0].db // a statement naming db.table outside any USE, as Debezium reads it
	}
	return tk.schemaChange(db, q, verb, changed, h, start)
}

func (tk *Task) tableExists(db, name string) (bool, error) {
	res, err := tk.conn.Execute("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + quote(db) + " AND TABLE_NAME = " + quote(name))
	if err != nil {
		return false, err
	}
	return len(res.Values) > 0, nil
}

// forget drops a table from the captured set.
func (tk *Task) forget(t *table) {
	delete(tk.byName, t.String())
	for i, x := range tk.tables {
		if x == t {
			tk.tables = append(tk.tables[:i], tk.tables[i+1:]...)
			break
		}
	}
}
