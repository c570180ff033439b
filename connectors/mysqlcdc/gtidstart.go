package mysqlcdc

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// gtidKind is how the server's GTIDs can position the binlog dump.
type gtidKind int

const (
	gtidOff     gtidKind = iota // MySQL with gtid_mode not ON: no GTIDs
	gtidMariaDB                 // the MariaDbConnector: MariaDB always has domain-server-seq GTIDs
	gtidMySQL                   // the MySqlConnector on MySQL with gtid_mode=ON
	gtidCompat                  // the MySqlConnector on a MariaDB server: GTIDs tracked, the dump by file and position
)

// gtidKind asks the server how GTIDs work there; for gtidOff it also
// returns gtid_mode's value.
func (tk *Task) gtidKind() (gtidKind, string) {
	if tk.fl.mariadb {
		return gtidMariaDB, ""
	}
	mode, err := tk.variable("gtid_mode")
	if err != nil { // no gtid_mode: a MariaDB server
		if _, err := tk.variable("gtid_binlog_pos"); err == nil {
			return gtidCompat, ""
		}
		return gtidOff, "unknown"
	}
	if strings.EqualFold(mode, "ON") {
		return gtidMySQL, mode
	}
	return gtidOff, mode
}

// checkPosition decides where streaming resumes from a committed offset, as
// Debezium does: an offset with GTIDs is checked against the server's GTIDs
// (executed, purged), one without against its binlog files. The dump starts
// by the offset's file and position while that file still holds the
// offset's transaction, else by GTIDs (tk.stream.gtidStart). The error says
// what to run.
func (tk *Task) checkPosition(rp restartPoint) error {
	if rp.gtids == "" || tk.cfg.GTIDIgnoreRecv {
		return tk.checkPurged(rp.at)
	}
	kind, mode := tk.gtidKind()
	switch kind {
	case gtidOff:
		return fmt.Errorf("%w: the committed offset carries GTIDs (%s) but the server's GTID mode is off (gtid_mode=%s), so the position cannot be checked: "+
			"turn GTIDs on again (gtid_mode=ON, enforce_gtid_consistency=ON), or set gtid.ignore.on.recovery=true to resume from the offset's file and position %s, "+
			"or set snapshot.mode=when_needed (or delete the connector's offsets and restart it with snapshot.mode=initial) to take a new snapshot",
			ErrServer, rp.gtids, mode, rp.at)
	case gtidCompat:
		if err := tk.checkPurged(rp.at); err != nil {
			return err
		}
		return tk.checkGTIDs(rp)
	}
	_, server, err := tk.masterStatus()
	if err != nil {
		return err
	}
	if server == "" {
		return fmt.Errorf("%w: the committed offset carries GTIDs (%s) but the server knows no GTIDs (its binlog was reset, or GTIDs are off): "+
			"set gtid.ignore.on.recovery=true to resume from the offset's file and position %s, or set snapshot.mode=when_needed "+
			"(or delete the connector's offsets and restart it with snapshot.mode=initial) to take a new snapshot", ErrServer, rp.gtids, rp.at)
	}
	filter := tk.cfg.sourceFilter()
	offset := filterGTIDs(rp.gtids, filter)
	if bad := tk.gtidsMissing(kind, offset, server); bad != "" {
		return fmt.Errorf("%w: the committed offset's GTIDs %s are not all executed by this server (its GTID position is %q; %s): "+
			"the offset comes from another server or predates a binlog reset. Delete the connector's offsets and restart it with snapshot.mode=initial "+
			"(or set snapshot.mode=when_needed)", ErrServer, rp.gtids, server, bad)
	}
	if tk.fileHolds(rp, kind) {
		return nil
	}
	start, err := tk.gtidStartSet(kind, offset, filter)
	if err != nil {
		return err
	}
	slog.Info("mysql cdc: resuming by GTIDs", "connector", tk.cfg.prefix(), "gtids", start, "offset_file", rp.at.file)
	tk.stream.gtidStart = start
	return nil
}

// gtidsMissing names what of the offset's GTIDs the server has not
// executed, or "".
func (tk *Task) gtidsMissing(kind gtidKind, offset, server string) string {
	if kind != gtidMySQL {
		return gtidsAhead(offset, server)
	}
	have, err := mysql.ParseMysqlGTIDSet(server)
	if err != nil {
		return fmt.Sprintf("the server's GTID set cannot be read: %v", err)
	}
	want, err := mysql.ParseMysqlGTIDSet(offset)
	if err != nil {
		return fmt.Sprintf("the offset's GTID set cannot be read: %v", err)
	}
	if !have.Contain(want) {
		return "the offset has GTIDs the server's executed set does not contain"
	}
	return ""
}

// fileHolds reports whether the offset's binlog file is on the server and
// its position is the start of a transaction the offset's GTIDs do not
// contain (or the end of what was written): then the file and position
// lead where the GTIDs would, one cheap query instead of the server
// scanning a binlog file for the GTID state.
func (tk *Task) fileHolds(rp restartPoint, kind gtidKind) bool {
	res, err := tk.conn.Execute(fmt.Sprintf("SHOW BINLOG EVENTS IN %s FROM %d LIMIT 1", quote(rp.at.file), rp.at.pos))
	if err != nil { // purged, or not an event boundary
		return false
	}
	if len(res.Values) == 0 {
		return true
	}
	typ, _ := res.GetString(0, 2)
	info, _ := res.GetString(0, 5)
	if !strings.EqualFold(typ, "Gtid") {
		return true
	}
	gtid := eventGTID(info)
	if gtid == "" {
		return false
	}
	if kind == gtidMySQL {
		have, err1 := mysql.ParseMysqlGTIDSet(rp.gtids)
		one, err2 := mysql.ParseMysqlGTIDSet(gtid)
		return err1 == nil && err2 == nil && !have.Contain(one)
	}
	return gtidsAhead(gtid, rp.gtids) != "" // its sequence is past the offset's in its domain
}

// eventGTID reads the GTID out of SHOW BINLOG EVENTS' Info of a Gtid event:
// MariaDB's "BEGIN GTID 0-1-5" / "GTID 0-1-5", MySQL's
// "SET @@SESSION.GTID_NEXT= 'uuid:5'".
func eventGTID(info string) string {
	if _, rest, ok := strings.Cut(info, "'"); ok {
		g, _, _ := strings.Cut(rest, "'")
		return g
	}
	f := strings.Fields(info)
	for i, w := range f {
		if strings.EqualFold(w, "GTID") && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

// gtidStartSet is the GTID set the dump starts from (Debezium's filtered
// and merged set), after refusing an offset whose next transactions the
// server has purged.
func (tk *Task) gtidStartSet(kind gtidKind, offset string, filter *gtidFilter) (string, error) {
	purged, where, err := tk.purgedGTIDs(kind)
	if err != nil {
		return "", err
	}
	lost := func(detail string) error {
		return fmt.Errorf("%w: the committed offset's GTIDs %s need transactions the server has purged (%s is %q; %s): the changes since are lost to the binlog. "+
			"Set snapshot.mode=when_needed to take a new snapshot and stream from there, or delete the connector's offsets and restart it with snapshot.mode=initial",
			ErrServer, offset, where, purged, detail)
	}
	if kind == gtidMySQL {
		return mysqlStartSet(offset, purged, filter, lost)
	}
	return mariadbStartSet(offset, purged, filter, lost)
}

// purgedGTIDs is what the server no longer has: MySQL's gtid_purged, or the
// GTID list that opens MariaDB's oldest binlog file (the state before it).
func (tk *Task) purgedGTIDs(kind gtidKind) (string, string, error) {
	if kind == gtidMySQL {
		s, err := tk.variable("gtid_purged")
		return strings.NewReplacer("\n", "", "\r", "").Replace(s), "gtid_purged", err
	}
	first, err := tk.firstBinlog()
	if err != nil {
		return "", "", err
	}
	res, err := tk.conn.Execute(fmt.Sprintf("SHOW BINLOG EVENTS IN %s LIMIT 4", quote(first)))
	if err != nil {
		return "", "", fmt.Errorf("%w: SHOW BINLOG EVENTS IN %s: %v; grant REPLICATION SLAVE to %s", ErrServer, first, err, tk.cfg.User)
	}
	for i := range res.Values {
		if typ, _ := res.GetString(i, 2); strings.EqualFold(typ, "Gtid_list") {
			info, _ := res.GetString(i, 5)
			return strings.Trim(strings.TrimSpace(info), "[]"), "the GTID list of the oldest binlog file " + first, nil
		}
	}
	return "", "the oldest binlog file " + first, nil
}

// filterGTIDs keeps the parts of a GTID set whose source passes the filter.
func filterGTIDs(set string, f *gtidFilter) string {
	if f == nil {
		return set
	}
	var kept []string
	for _, p := range splitGTIDs(set) {
		if f.keep(gtidSource(p)) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ",")
}

// startDump starts the binlog dump at the start position: after the GTIDs
// of gtidStart when set, else at the file and position.
func (tk *Task) startDump() (*replication.BinlogStreamer, error) {
	st := &tk.stream
	if st.gtidStart == "" {
		events, err := st.syncer.StartSync(mysql.Position{Name: st.start.at.file, Pos: uint32(st.start.at.pos)})
		if err != nil {
			return nil, fmt.Errorf("%w: starting the binlog dump at %s: %v; grant REPLICATION SLAVE to %s", ErrServer, st.start.at, err, tk.cfg.User)
		}
		return events, nil
	}
	parse := mysql.ParseMysqlGTIDSet
	if tk.fl.mariadb {
		parse = mysql.ParseMariadbGTIDSet
	}
	set, err := parse(st.gtidStart)
	if err != nil {
		return nil, fmt.Errorf("%w: the GTID start set %q cannot be read: %v; delete the connector's offsets and restart it with snapshot.mode=initial", ErrServer, st.gtidStart, err)
	}
	events, err := st.syncer.StartSyncGTID(set)
	if err != nil {
		return nil, fmt.Errorf("%w: starting the binlog dump after GTIDs %s: %v; grant REPLICATION SLAVE to %s", ErrServer, st.gtidStart, err, tk.cfg.User)
	}
	return events, nil
}
