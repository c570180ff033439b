package jdbc

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

// Plugin returns the JdbcSourceConnector plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Aliases:      []string{"jdbc-source", "JdbcSource"},
		Type:         connectors.TypeSource,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSource:    func() connectors.SourceTask { return NewTask() },
	}
}

// Connector lists the tables to copy and deals them round-robin to tasks.
type Connector struct{}

// listTimeout bounds the table listing done while splitting.
const listTimeout = 20 * time.Second

// TaskConfigs returns one task for query mode, otherwise min(tasks.max,
// tables) tasks, each with its tables under "tables". Whitelisted tables are
// kept even when the database does not have them, so the task that owns one
// fails naming it. poll.interval.ms defaults to Confluent's 5000.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	cfg, err := parseConfig(props)
	if err != nil {
		return nil, err
	}
	if cfg.Query != "" {
		return []map[string]string{taskProps(props, "")}, nil
	}
	u, err := cfg.connURL()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, listTimeout) // within the request's deadline too
	defer cancel()
	db, err := dialect.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	all, err := listTables(ctx, db, u.Dialect, &cfg)
	if err != nil {
		return nil, err
	}
	tables := selectTables(all, &cfg)
	if len(tables) == 0 {
		return nil, fmt.Errorf("jdbc source: no tables to copy in %s (table.whitelist=%q, table.blacklist=%q); create the tables or fix the lists",
			u, strings.Join(cfg.whitelist(), ","), strings.Join(cfg.blacklist(), ","))
	}
	n := min(max(maxTasks, 1), len(tables))
	groups := make([][]string, n)
	for i, t := range tables {
		groups[i%n] = append(groups[i%n], t)
	}
	out := make([]map[string]string, n)
	for i, g := range groups {
		out[i] = taskProps(props, strings.Join(g, ","))
	}
	return out, nil
}

func taskProps(props map[string]string, tables string) map[string]string {
	m := make(map[string]string, len(props)+2)
	for k, v := range props {
		m[k] = v
	}
	m[TablesKey] = tables
	if _, ok := m["poll.interval.ms"]; !ok {
		m["poll.interval.ms"] = DefaultPollIntervalMs
	}
	return m
}

// listTables returns the dotted names (schema.table or db.table) of the
// tables of the configured types, sorted.
func listTables(ctx context.Context, db *sql.DB, d *dialect.Dialect, cfg *Config) ([]string, error) {
	types := make([]string, 0, len(cfg.TableTypes))
	for _, t := range cfg.TableTypes {
		switch strings.ToUpper(strings.TrimSpace(t)) {
		case "TABLE":
			types = append(types, "'BASE TABLE'")
		case "VIEW":
			types = append(types, "'VIEW'")
		}
	}
	if len(types) == 0 {
		types = []string{"'BASE TABLE'"}
	}
	q := "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type IN (" + strings.Join(types, ",") + ")"
	var args []any
	switch {
	case d == dialect.MySQL && cfg.CatalogPattern != "":
		q += " AND table_schema LIKE ?"
		args = append(args, cfg.CatalogPattern)
	case d == dialect.MySQL:
		q += " AND table_schema = DATABASE()"
	case cfg.SchemaPattern != "":
		q += " AND table_schema LIKE $1"
		args = append(args, cfg.SchemaPattern)
	default:
		q += " AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%'"
	}
	rows, err := db.QueryContext(ctx, q+" ORDER BY 1, 2", args...)
	if err != nil {
		return nil, fmt.Errorf("jdbc source: listing tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s, t string
		if err := rows.Scan(&s, &t); err != nil {
			return nil, fmt.Errorf("jdbc source: listing tables: %w", err)
		}
		out = append(out, s+"."+t)
	}
	return out, rows.Err()
}

// selectTables applies the white- and blacklists; an entry matches a table by
// its bare or its dotted name. Whitelisted tables that do not exist are kept.
func selectTables(all []string, cfg *Config) []string {
	matches := func(list []string, full string) bool {
		_, bare, _ := strings.Cut(full, ".")
		for _, e := range list {
			e = strings.TrimSpace(e)
			if e == full || e == bare {
				return true
			}
		}
		return false
	}
	var out []string
	if wl := cfg.whitelist(); len(wl) > 0 {
		for _, e := range wl {
			e = strings.TrimSpace(e)
			found := false
			for _, t := range all {
				if matches([]string{e}, t) && !slices.Contains(out, t) {
					out = append(out, t)
					found = true
				}
			}
			if !found && !slices.ContainsFunc(out, func(t string) bool { return matches([]string{e}, t) }) {
				out = append(out, e)
			}
		}
		return out
	}
	for _, t := range all {
		if !matches(cfg.blacklist(), t) {
			out = append(out, t)
		}
	}
	return out
}
