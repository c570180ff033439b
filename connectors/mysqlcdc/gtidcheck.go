package mysqlcdc

import (
	"fmt"
	"strconv"
	"strings"
)

// checkGTIDs refuses a committed offset whose GTIDs the server has not
// executed: the offset was written against another server (a failover
// without GTID continuity) or before the binlog was reset, so its file and
// position do not point where it thinks; streaming from there would skip or
// repeat changes silently.
func (tk *Task) checkGTIDs(rp restartPoint) error {
	if rp.gtids == "" {
		return nil
	}
	_, server, err := tk.masterStatus()
	if err != nil || server == "" { // a server without GTIDs: nothing to compare
		return err
	}
	if bad := gtidsAhead(rp.gtids, server); bad != "" {
		return fmt.Errorf("%w: the committed offset's GTIDs %s are not all executed by this server (its GTID position is %q; %s): "+
			"the offset comes from another server or predates a binlog reset. Delete the connector's offsets and restart it with snapshot.mode=initial "+
			"(or set snapshot.mode=when_needed)", ErrServer, rp.gtids, server, bad)
	}
	return nil
}

// gtidsAhead names the first GTID of offset that server has not reached, or
// "". MariaDB GTIDs compare per domain (domain-server-seq); MySQL sets per
// source uuid by the end of their last interval.
func gtidsAhead(offset, server string) string {
	have := map[string]int64{}
	for _, p := range splitGTIDs(server) {
		k, n := gtidEnd(p)
		if n > have[k] {
			have[k] = n
		}
	}
	for _, p := range splitGTIDs(offset) {
		k, n := gtidEnd(p)
		got, ok := have[k]
		switch {
		case !ok:
			return "the server has no GTID of " + k
		case got < n:
			return fmt.Sprintf("GTID domain or source %s is at %d on the server, %d in the offset", k, got, n)
		}
	}
	return ""
}

func splitGTIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\n", ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// gtidEnd is a GTID part's key (MariaDB domain, MySQL source uuid) and its
// last sequence number.
func gtidEnd(p string) (string, int64) {
	if uuid, ranges, ok := strings.Cut(p, ":"); ok {
		last := ranges[strings.LastIndexAny(ranges, ":-")+1:]
		n, _ := strconv.ParseInt(last, 10, 64)
		return uuid, n
	}
	f := strings.Split(p, "-")
	n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
	return f[0], n
}
