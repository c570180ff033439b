package mysqlcdc

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// mysqlStartSet is Debezium's merged MySQL start set: the offset's
// (filtered) set, plus gtid_purged for the sources the offset does not
// know (new channels start at their first available transaction). An
// offset missing purged GTIDs of its own sources is refused (lost).
func mysqlStartSet(offset, purged string, f *gtidFilter, lost func(string) error) (string, error) {
	off, err := mysql.ParseMysqlGTIDSet(offset)
	if err != nil {
		return "", fmt.Errorf("%w: the committed offset's gtids %q are not a MySQL GTID set (%v); delete the connector's offsets and restart it with snapshot.mode=initial",
			ErrServer, offset, err)
	}
	all, err := mysql.ParseMysqlGTIDSet(purged)
	if err != nil {
		return "", fmt.Errorf("%w: the server's gtid_purged %q cannot be read: %v", ErrServer, purged, err)
	}
	relevant, _ := mysql.ParseMysqlGTIDSet(filterGTIDs(purged, f))
	if !off.Contain(relevant) {
		return "", lost("the offset does not contain every purged GTID of its sources")
	}
	merged := all.Clone().(*mysql.MysqlGTIDSet)
	for uuid, s := range off.(*mysql.MysqlGTIDSet).Sets {
		merged.Sets[uuid] = s.Clone()
	}
	return merged.String(), nil
}

// mariaGTID is one MariaDB GTID, domain-server-seq.
type mariaGTID struct {
	domain, server uint32
	seq            uint64
}

func (g mariaGTID) String() string { return fmt.Sprintf("%d-%d-%d", g.domain, g.server, g.seq) }

func parseMariaGTID(s string) (mariaGTID, bool) {
	f := strings.Split(strings.TrimSpace(s), "-")
	if len(f) != 3 {
		return mariaGTID{}, false
	}
	d, e1 := strconv.ParseUint(f[0], 10, 32)
	sv, e2 := strconv.ParseUint(f[1], 10, 32)
	n, e3 := strconv.ParseUint(f[2], 10, 64)
	return mariaGTID{uint32(d), uint32(sv), n}, e1 == nil && e2 == nil && e3 == nil
}

// mariaState is a GTID set reduced to MariaDB's replication state: per
// domain the GTID with the highest sequence (a Debezium offset may list
// several servers of one domain; the dump takes one per domain).
func mariaState(set string) (map[uint32]mariaGTID, error) {
	st := map[uint32]mariaGTID{}
	for _, p := range splitGTIDs(set) {
		g, ok := parseMariaGTID(p)
		if !ok {
			return nil, fmt.Errorf("%q is not a MariaDB GTID (domain-server-sequence)", p)
		}
		if cur, ok := st[g.domain]; !ok || g.seq > cur.seq {
			st[g.domain] = g
		}
	}
	return st, nil
}

// mariadbStartSet is the MariaDB start state: the offset's (filtered) GTID
// per domain, and for a domain the offset does not follow, its entry in the
// oldest binlog's GTID list (its first available transaction). An offset
// behind that list in a domain it follows is refused (lost).
func mariadbStartSet(offset, purged string, f *gtidFilter, lost func(string) error) (string, error) {
	st, err := mariaState(offset)
	if err != nil {
		return "", fmt.Errorf("%w: the committed offset's gtids: %v; delete the connector's offsets and restart it with snapshot.mode=initial", ErrServer, err)
	}
	list, err := mariaState(purged)
	if err != nil {
		return "", fmt.Errorf("%w: the oldest binlog's GTID list: %v", ErrServer, err)
	}
	for _, p := range splitGTIDs(purged) {
		g, _ := parseMariaGTID(p)
		cur, ok := st[g.domain]
		switch {
		case !f.keep(gtidSource(p)):
			if !ok {
				st[g.domain] = list[g.domain]
			}
		case !ok:
			return "", lost(fmt.Sprintf("the offset has no GTID of domain %d, whose transactions up to %s are purged", g.domain, g))
		case cur.seq < g.seq:
			return "", lost(fmt.Sprintf("domain %d is at %s in the offset, the oldest binlog file starts after %s", g.domain, cur, g))
		}
	}
	domains := make([]uint32, 0, len(st))
	for d := range st {
		domains = append(domains, d)
	}
	sort.Slice(domains, func(i, j int) bool { return domains[i] < domains[j] })
	parts := make([]string, len(domains))
	for i, d := range domains {
		parts[i] = st[d].String()
	}
	return strings.Join(parts, ","), nil
}
