package mysqlcdc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// The transaction topic of the binlog events Debezium's connectors turn
// into BEGIN and END: each flavor's transaction id, a MariaDB DDL's BEGIN
// without END, ts_ms from the event before (the first event's own when
// none is), and no second BEGIN for the transaction of the committed offset.
func TestTxMetaEvents(t *testing.T) {
	gtid := func(seq uint64, flags byte) replication.Event {
		return &replication.MariadbGTIDEvent{GTID: mysql.MariadbGTID{DomainID: 0, ServerID: 7, SequenceNumber: seq}, Flags: flags}
	}
	begin := &replication.QueryEvent{Query: []byte("BEGIN")}
	type ev struct {
		at, size uint32
		ts       uint32
		e        replication.Event
	}
	for _, tc := range []struct {
		name   string
		fl     flavor
		offset map[string]any
		events []ev
		want   string
	}{
		{"MySQL without GTIDs: BEGIN query to XID", mysqlFlavor, nil,
			[]ev{{100, 20, 1000, &replication.FormatDescriptionEvent{}}, {120, 40, 1001, begin}, {160, 30, 1002, &replication.XIDEvent{}}},
			"BEGIN file=pb.000001,pos=120 @1000000 | END file=pb.000001,pos=120 0 @1001000"},
		{"MariaDB: GTID to XID, and a DDL's GTID gets a BEGIN only", mariadbFlavor, nil,
			[]ev{{100, 40, 1000, gtid(5, 0)}, {140, 30, 1003, &replication.XIDEvent{}}, {170, 40, 1004, gtid(6, replication.BINLOG_MARIADB_FL_STANDALONE)}},
			"BEGIN 0-7-5 @1000000 | END 0-7-5 0 @1000000 | BEGIN 0-7-6 @1003000"},
		{"the offset's transaction read again", mariadbFlavor, map[string]any{"transaction_id": "0-7-5", "transaction_data_collection_order_d.t": int64(3)},
			[]ev{{100, 40, 1000, gtid(5, 0)}, {140, 30, 1003, &replication.XIDEvent{}}},
			"END 0-7-5 3 @1000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := &Task{fl: tc.fl, src: sourceSchema(tc.fl), partition: map[string]any{PartitionServer: "p"},
				cfg: Config{TopicPrefix: "p", EventConfig: debezium.EventConfig{ProvideTxMeta: true, TxTopic: "transaction"}}}
			tk.stream.file, tk.stream.fresh = "pb.000001", true
			if tc.offset != nil {
				tk.tx.Load(tc.offset)
			}
			var recs []*connectors.Record
			for _, e := range tc.events {
				out, err := tk.handle(&replication.BinlogEvent{Header: &replication.EventHeader{Timestamp: e.ts, LogPos: e.at + e.size, EventSize: e.size, ServerID: 7}, Event: e.e})
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, out...)
			}
			var got []string
			for _, r := range recs {
				if r.Topic != "p.transaction" {
					t.Errorf("record on %s", r.Topic)
					continue
				}
				v := r.Value.(*connectors.Struct)
				status, _ := v.Get("status")
				id, _ := v.Get("id")
				ts, _ := v.Get("ts_ms")
				line := fmt.Sprintf("%s %s", status, id)
				if status == "END" {
					n, _ := v.Get("event_count")
					line += fmt.Sprintf(" %d", n)
				}
				got = append(got, fmt.Sprintf("%s @%d", line, ts))
			}
			if s := strings.Join(got, " | "); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

// include.query keeps the statement of MariaDB's Annotate_rows and MySQL's
// Rows_query events for the rows that follow, until the commit; a
// statement naming the signalling table is not kept on MariaDB, and
// MariaDB is asked for its annotations only with include.query.
func TestIncludeQuery(t *testing.T) {
	annotate := func(q string) replication.Event { return &replication.MariadbAnnotateRowsEvent{Query: []byte(q)} }
	rowsQuery := func(q string) replication.Event { return &replication.RowsQueryEvent{Query: []byte(q)} }
	for _, tc := range []struct {
		name    string
		fl      flavor
		include bool
		ev      replication.Event
		want    string
		flags   uint16
	}{
		{"MariaDB", mariadbFlavor, true, annotate("INSERT INTO d.t VALUES (1)"), "INSERT INTO d.t VALUES (1)", replication.BINLOG_SEND_ANNOTATE_ROWS_EVENT},
		{"MySQL", mysqlFlavor, true, rowsQuery("UPDATE d.t SET a = 1"), "UPDATE d.t SET a = 1", 0},
		{"off", mariadbFlavor, false, annotate("INSERT INTO d.t VALUES (1)"), "", 0},
		{"the signalling table on MariaDB", mariadbFlavor, true, annotate("INSERT INTO `d`.`signals` VALUES ('x')"), "", replication.BINLOG_SEND_ANNOTATE_ROWS_EVENT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := &Task{fl: tc.fl, src: sourceSchema(tc.fl), partition: map[string]any{PartitionServer: "p"},
				cfg: Config{TopicPrefix: "p", IncludeQuery: tc.include, SignalTable: "d.signals"}}
			tk.stream.file = "pb.000001"
			handle := func(e replication.Event) {
				if _, err := tk.handle(&replication.BinlogEvent{Header: &replication.EventHeader{Timestamp: 1, LogPos: 200, EventSize: 20}, Event: e}); err != nil {
					t.Fatal(err)
				}
			}
			handle(&replication.QueryEvent{Query: []byte("BEGIN")})
			handle(tc.ev)
			if tk.stream.query != tc.want || tk.dumpFlags() != tc.flags {
				t.Errorf("query %q, dump flags %d; want %q, %d", tk.stream.query, tk.dumpFlags(), tc.want, tc.flags)
			}
			handle(&replication.XIDEvent{})
			if tk.stream.query != "" {
				t.Errorf("query %q kept after the commit", tk.stream.query)
			}
		})
	}
}
