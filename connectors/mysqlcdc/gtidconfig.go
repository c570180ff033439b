package mysqlcdc

import (
	"regexp"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// GTIDConfig is Debezium's GTID keys, shared by the MySQL and MariaDB
// connectors (embedded in Config). A source is a MySQL server uuid or a
// MariaDB "domain-server" pair.
type GTIDConfig struct {
	GTIDIncludes   []string `config:"gtid.source.includes" default:"" importance:"high" group:"Connector" doc:"Regular expressions matching the GTID sources (MySQL: server uuids; MariaDB: domain-server pairs such as 0-1) whose GTID ranges are used to find the starting position in the binlog; with gtid.source.filter.dml.events, only their transactions' row changes are emitted."`
	GTIDExcludes   []string `config:"gtid.source.excludes" default:"" importance:"medium" group:"Connector" doc:"Regular expressions matching the GTID sources whose GTID ranges are not used to find the starting position (and, with gtid.source.filter.dml.events, whose transactions' row changes are not emitted). Not with gtid.source.includes."`
	GTIDFilterDML  bool     `config:"gtid.source.filter.dml.events" default:"true" importance:"medium" group:"Connector" doc:"When set to true, only produce DML events for transactions that were written on the server with matching GTIDs defined by the gtid.source.includes or gtid.source.excludes, if they were specified."`
	GTIDIgnoreRecv bool     `config:"gtid.ignore.on.recovery" default:"false" importance:"low" group:"Connector" doc:"Whether the connector ignores the offset's GTIDs on restart and resumes from its binlog file and position instead (GTIDs are still tracked and written)."`
}

// checkGTIDConfig applies the GTID keys' rules: both lists are regular
// expressions, and only one of them may be set.
func (g *GTIDConfig) checkGTIDConfig() connectors.ConfigErrors {
	var errs connectors.ConfigErrors
	for key, list := range map[string][]string{"gtid.source.includes": g.GTIDIncludes, "gtid.source.excludes": g.GTIDExcludes} {
		for _, p := range list {
			if _, err := regexp.Compile(p); err != nil {
				errs = append(errs, &connectors.ConfigError{Key: key, Value: p, Reason: "not a regular expression: " + err.Error()})
			}
		}
	}
	if len(g.GTIDIncludes) > 0 && len(g.GTIDExcludes) > 0 { // Debezium's words
		errs = append(errs, &connectors.ConfigError{Key: "gtid.source.excludes", Value: strings.Join(g.GTIDExcludes, ","),
			Reason: "Cannot specify GTID excludes when includes are provided."})
	}
	return errs
}

// gtidFilter is gtid.source.includes / excludes as a predicate on a GTID
// source; nil keeps every source.
type gtidFilter struct {
	in, ex []*regexp.Regexp
}

func (g *GTIDConfig) sourceFilter() *gtidFilter {
	if len(g.GTIDIncludes) == 0 && len(g.GTIDExcludes) == 0 {
		return nil
	}
	return &gtidFilter{in: compileAll(g.GTIDIncludes), ex: compileAll(g.GTIDExcludes)}
}

// dmlFilter is the filter applied to row events (gtid.source.filter.dml.events).
func (g *GTIDConfig) dmlFilter() *gtidFilter {
	if !g.GTIDFilterDML {
		return nil
	}
	return g.sourceFilter()
}

// keep reports whether a GTID source passes the filter.
func (f *gtidFilter) keep(source string) bool {
	if f == nil {
		return true
	}
	if len(f.in) > 0 {
		return anyMatch(f.in, source)
	}
	return !anyMatch(f.ex, source)
}

// gtidSource is the source of one GTID: the uuid of a MySQL uuid:n, the
// domain-server of a MariaDB domain-server-seq.
func gtidSource(gtid string) string {
	if uuid, _, ok := strings.Cut(gtid, ":"); ok {
		return uuid
	}
	if i := strings.LastIndexByte(gtid, '-'); i > 0 {
		return gtid[:i]
	}
	return gtid
}
