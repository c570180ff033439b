package mysqlcdc

import (
	"sort"
	"strings"
)

// gtidTracker is the set of GTIDs completed. MariaDB GTIDs
// (domain-server-seq) keep the last per domain, as gtid_binlog_pos does;
// MySQL GTID sets (uuid:1-n) are kept as the server gave them, with the
// last GTID of each source appended as its range's new end.
type gtidTracker struct {
	parts map[string]string // domain (MariaDB) or source uuid (MySQL) -> its part
}

func parseGTIDs(s string) gtidTracker {
	g := gtidTracker{parts: map[string]string{}}
	for _, p := range strings.Split(strings.ReplaceAll(s, "\n", ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			g.parts[gtidKey(p)] = p
		}
	}
	return g
}

// gtidKey is the domain of a MariaDB GTID, or the source of a MySQL one.
func gtidKey(p string) string {
	if i := strings.IndexByte(p, ':'); i >= 0 {
		return p[:i]
	}
	if i := strings.IndexByte(p, '-'); i >= 0 {
		return p[:i]
	}
	return p
}

// add records a completed GTID.
func (g *gtidTracker) add(gtid string) {
	if g.parts == nil {
		g.parts = map[string]string{}
	}
	k := gtidKey(gtid)
	uuid, seq, mysqlStyle := strings.Cut(gtid, ":")
	if !mysqlStyle {
		g.parts[k] = gtid
		return
	}
	prev, ok := g.parts[k]
	if !ok {
		g.parts[k] = uuid + ":1-" + seq
		return
	}
	// Extend the last range of uuid:a-b[:c-d] to end at seq.
	i := strings.LastIndexAny(prev, ":-")
	if prev[i] == '-' {
		g.parts[k] = prev[:i+1] + seq
	} else {
		g.parts[k] = prev + "-" + seq
	}
}

func (g gtidTracker) String() string {
	if len(g.parts) == 0 {
		return ""
	}
	keys := make([]string, 0, len(g.parts))
	for k := range g.parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = g.parts[k]
	}
	return strings.Join(out, ",")
}
