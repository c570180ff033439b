package mysqlcdc

import (
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"
)

// rekey applies message.key.columns to t's key (after build).
func (t *table) rekey(cfg *Config) {
	cfg.Keys().Rekey(&t.dbz, t.String(), t.value, strings.TrimSuffix(t.dbz.Envelope.Name, ".Envelope")+".Key")
	t.key = t.dbz.Key
}

// dumpFlags are the binlog dump's flags: with include.query, MariaDB is
// asked for its Annotate_rows events (the statement of the rows events
// that follow).
func (tk *Task) dumpFlags() uint16 {
	if tk.cfg.IncludeQuery && tk.fl.mariadb {
		return replication.BINLOG_SEND_ANNOTATE_ROWS_EVENT
	}
	return 0
}

// annotate keeps the statement of an Annotate_rows (MariaDB) or Rows_query
// (MySQL, binlog_rows_query_log_events=ON) event for source.query of the
// rows events that follow, until the transaction commits. As Debezium's
// MariaDbConnector, a statement naming the signalling table is not kept.
func (tk *Task) annotate(q string) {
	if !tk.cfg.IncludeQuery {
		return
	}
	if sig := tk.cfg.SignalTable; tk.fl.mariadb && sig != "" {
		db, tb, _ := strings.Cut(sig, ".")
		if strings.Contains(strings.ToLower(q), strings.ToLower("`"+db+"`.`"+tb+"`")) {
			return
		}
	}
	tk.stream.query = q
}
