package mysqlcdc

import (
	"errors"
	"fmt"
	"strings"
)

// ErrServer is wrapped by every refusal of the server's configuration, the
// user's privileges or the committed position: the message says what to run.
var ErrServer = errors.New("mysql cdc: the server cannot be captured")

// variable reads a global server variable.
func (tk *Task) variable(name string) (string, error) {
	res, err := tk.conn.Execute("SELECT @@GLOBAL." + name)
	if err != nil {
		return "", fmt.Errorf("mysql cdc: reading @@GLOBAL.%s: %w", name, err)
	}
	v, _ := res.GetString(0, 0)
	return v, nil
}

// checkServer refuses a server whose binary log cannot feed change data
// capture, and a user without the replication privileges.
func (tk *Task) checkServer() error {
	logBin, err := tk.variable("log_bin")
	if err != nil {
		return err
	}
	if logBin != "1" && !strings.EqualFold(logBin, "ON") {
		return fmt.Errorf("%w: the binary log is off (log_bin=%s); start the server with --log-bin --binlog-format=ROW --binlog-row-image=FULL and a --server-id",
			ErrServer, logBin)
	}
	format, err := tk.variable("binlog_format")
	if err != nil {
		return err
	}
	if !strings.EqualFold(format, "ROW") {
		return fmt.Errorf("%w: binlog_format is %s, change data capture needs ROW; run SET GLOBAL binlog_format = 'ROW' (and set binlog_format=ROW in the server's configuration)",
			ErrServer, format)
	}
	image, err := tk.variable("binlog_row_image")
	if err != nil {
		return err
	}
	if !strings.EqualFold(image, "FULL") {
		return fmt.Errorf("%w: binlog_row_image is %s, change data capture needs FULL (before and after images of every column); run SET GLOBAL binlog_row_image = 'FULL' (and set it in the server's configuration)",
			ErrServer, image)
	}
	return tk.checkGrants()
}

// checkGrants refuses a user without REPLICATION SLAVE and REPLICATION
// CLIENT (MariaDB: REPLICATION REPLICA and BINLOG MONITOR).
func (tk *Task) checkGrants() error {
	res, err := tk.conn.Execute("SHOW GRANTS FOR CURRENT_USER()")
	if err != nil {
		return fmt.Errorf("mysql cdc: SHOW GRANTS: %w", err)
	}
	var all strings.Builder
	for i := range res.Values {
		s, _ := res.GetString(i, 0)
		all.WriteString(strings.ToUpper(s) + "\n")
	}
	g := all.String()
	has := func(any ...string) bool {
		for _, p := range any {
			if strings.Contains(g, p) {
				return true
			}
		}
		return false
	}
	if has("GRANT ALL PRIVILEGES ON *.*") {
		return nil
	}
	var missing []string
	if !has("REPLICATION SLAVE", "REPLICATION REPLICA") {
		missing = append(missing, "REPLICATION SLAVE")
	}
	if !has("REPLICATION CLIENT", "BINLOG MONITOR") {
		missing = append(missing, "REPLICATION CLIENT")
	}
	if len(missing) == 0 || viaRole(g) {
		// Privileges granted through a role do not show here: the binlog
		// dump itself reports them missing (describeStreamError).
		return nil
	}
	return fmt.Errorf("%w: user %s lacks %s, needed to read the binary log; run GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '%s'@'%%'",
		ErrServer, tk.cfg.User, strings.Join(missing, " and "), tk.cfg.User)
}

// viaRole reports whether the grants include a role ("GRANT `r` TO ...").
func viaRole(grants string) bool {
	for _, line := range strings.Split(grants, "\n") {
		if strings.HasPrefix(line, "GRANT `") || strings.HasPrefix(line, "GRANT '") {
			return true
		}
	}
	return false
}

// masterStatus is the server's current binlog position and GTID set.
func (tk *Task) masterStatus() (binlogPos, string, error) {
	res, err := tk.conn.Execute("SHOW MASTER STATUS")
	if err != nil {
		if res, err = tk.conn.Execute("SHOW BINARY LOG STATUS"); err != nil { // MySQL 8.4
			return binlogPos{}, "", fmt.Errorf("%w: SHOW MASTER STATUS: %v; grant REPLICATION CLIENT to %s", ErrServer, err, tk.cfg.User)
		}
	}
	if len(res.Values) == 0 {
		return binlogPos{}, "", fmt.Errorf("%w: SHOW MASTER STATUS is empty: the binary log is off; start the server with --log-bin", ErrServer)
	}
	file, _ := res.GetString(0, 0)
	pos, _ := res.GetUint(0, 1)
	gtids, err := tk.gtidSet(res)
	return binlogPos{file: file, pos: pos}, gtids, err
}

// gtidSet is the server's executed GTID set: MariaDB's gtid_binlog_pos, or
// MySQL's Executed_Gtid_Set when gtid_mode is ON.
func (tk *Task) gtidSet(status interface {
	ColumnNumber() int
	GetString(row, col int) (string, error)
}) (string, error) {
	if tk.fl.mariadb {
		return tk.variable("gtid_binlog_pos")
	}
	if status.ColumnNumber() >= 5 {
		s, _ := status.GetString(0, 4)
		return strings.NewReplacer("\n", "", "\r", "").Replace(s), nil
	}
	// The MySqlConnector on a MariaDB server: its binlog carries MariaDB GTIDs.
	if pos, err := tk.variable("gtid_binlog_pos"); err == nil {
		return pos, nil
	}
	return "", nil
}

// binlogs lists the binlog files the server still has.
func (tk *Task) binlogs() ([]string, error) {
	res, err := tk.conn.Execute("SHOW BINARY LOGS")
	if err != nil {
		return nil, fmt.Errorf("%w: SHOW BINARY LOGS: %v; grant REPLICATION CLIENT to %s", ErrServer, err, tk.cfg.User)
	}
	out := make([]string, 0, len(res.Values))
	for i := range res.Values {
		s, _ := res.GetString(i, 0)
		out = append(out, s)
	}
	return out, nil
}

func (tk *Task) firstBinlog() (string, error) {
	logs, err := tk.binlogs()
	if err != nil {
		return "", err
	}
	if len(logs) == 0 {
		return "", fmt.Errorf("%w: the server lists no binary logs; start it with --log-bin", ErrServer)
	}
	return logs[0], nil
}

// checkPurged refuses a committed position whose binlog file the server no
// longer has: the changes since are gone, streaming would lose them.
func (tk *Task) checkPurged(at binlogPos) error {
	logs, err := tk.binlogs()
	if err != nil {
		return err
	}
	for _, l := range logs {
		if l == at.file {
			return nil
		}
	}
	oldest := "none"
	if len(logs) > 0 {
		oldest = logs[0]
	}
	return fmt.Errorf("%w: the committed offset is at %s, but the server no longer has binlog file %s (purged; its oldest is %s): the changes since are lost to the binlog. "+
		"Set snapshot.mode=when_needed to take a new snapshot and stream from there, or delete the connector's offsets and restart it with snapshot.mode=initial",
		ErrServer, at, at.file, oldest)
}

// failOrWarn applies event.processing.failure.handling.mode to a per-event
// failure: fail returns it; warn and skip drop the event.
func (tk *Task) failOrWarn(err error) error {
	if tk.cfg.FailureHandling == "fail" {
		return err
	}
	if tk.cfg.FailureHandling == "warn" {
		warnEvent(err)
	}
	return nil
}
