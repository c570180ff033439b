//go:build integration

package postgrescdc_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kgo"
)

// oracleDeliberate are the differences from Debezium that ferry keeps on
// purpose, by JSON path, each listed in docs/connectors.md.
var oracleDeliberate = map[string]string{
	"value.payload.source.version": "ferry's version, not Debezium's",
	"value.payload.after.c_name":   "Debezium 3.6.1 writes null for every value of a name column; ferry writes the value",
	"value.payload.before.c_name":  "as after.c_name",
}

// oraclePair is one mode captured by Debezium and by ferry.
type oraclePair struct {
	mode     map[string]string
	dbz, fry side
	hs       *harness
	ends     []map[string]int // ferry's record count per table at the end of each phase
}

// The oracle: the same tables, snapshot and changes captured by Debezium's
// PostgresConnector 3.6.1.Final in the reference Kafka Connect and by
// ferry's connector, into separate topics; every record compared (key,
// value, both schemas, the source block less timing and instance fields).
func TestDebeziumOraclePostgres(t *testing.T) {
	conn := pg(t)
	kc := kafkaConnect{t: t, url: env(t, "KAFKA_CONNECT_URL")}
	id := uniq("orc")
	schema := id
	exec(t, conn, oracleTables(schema)...)
	exec(t, conn, "CREATE TABLE "+schema+".mark (id INT PRIMARY KEY)")
	t.Cleanup(func() { exec(t, conn, "DROP SCHEMA "+schema+" CASCADE") })

	var pairs []*oraclePair
	var topics []string
	for i, mode := range oracleModes {
		dname, fname := fmt.Sprintf("dbz%s_%d", id[3:], i), fmt.Sprintf("fry%s_%d", id[3:], i)
		kc.start(conn, debeziumConfig(t, dname, schema, mode))
		dropSlot(t, conn, fname)
		p := &oraclePair{mode: mode, dbz: newSide(dname, schema), fry: newSide(fname, schema),
			hs: newHarness(t, debeziumConfig(t, fname, schema, mode))}
		pairs = append(pairs, p)
		for _, s := range []side{p.dbz, p.fry} {
			for _, tp := range s.topics {
				topics = append(topics, tp)
			}
		}
	}
	c := newCollector(t, topics)

	// Snapshot: ferry's runs to its end, then Debezium's must hold as many records.
	for _, p := range pairs {
		p.hs.drain(1000)
	}
	for _, p := range pairs {
		c.until("ferry's snapshot", func() bool { return c.counts(p.fry)["types"] >= 4 })
		p.ends = append(p.ends, c.counts(p.fry))
		c.wantCounts(p.dbz, p.ends[0])
	}
	steps := oracleSteps(schema)
	for k, st := range steps {
		runSteps(t, conn, st)
		exec(t, conn, fmt.Sprintf("INSERT INTO %s.mark VALUES (%d)", schema, k+1))
		for _, p := range pairs {
			c.until("ferry's "+st.phase, func() bool {
				if c.has(p.fry.topics["mark"], k+1) {
					return true
				}
				if res := p.hs.invoke(1000); res.State != functions.StateRunning {
					t.Fatalf("%s: %s", res.State, res.Trace)
				}
				return false
			})
			p.ends = append(p.ends, c.counts(p.fry))
		}
	}
	phases := []string{"snapshot"}
	for _, st := range steps {
		phases = append(phases, st.phase)
	}
	compared, differing := map[string]int{}, map[string]int{}
	var report []string
	for _, p := range pairs {
		c.until("Debezium's last marker", func() bool { return c.has(p.dbz.topics["mark"], len(steps)) })
		c.wantCounts(p.dbz, p.ends[len(p.ends)-1])
		for _, tb := range append(oracleTableNames, "mark") {
			d, f := c.recs[p.dbz.topics[tb]], c.recs[p.fry.topics[tb]]
			dumpRecords(p.dbz.topics[tb], d)
			dumpRecords(p.fry.topics[tb], f)
			if len(d) != len(f) {
				report = append(report, fmt.Sprintf("%v %s: debezium %d records, ferry %d", p.mode, tb, len(d), len(f)))
			}
			for i := 0; i < min(len(d), len(f)); i++ {
				phase := phases[len(phases)-1]
				for k, end := range p.ends {
					if i < end[tb] {
						phase = phases[k]
						break
					}
				}
				if f[i].Value == nil {
					phase = "tombstone"
				}
				var lines []string
				for _, part := range []struct {
					name     string
					dbz, fry []byte
				}{{"key", d[i].Key, f[i].Key}, {"value", d[i].Value, f[i].Value}} {
					dv, err := normalized(part.dbz, p.dbz.prefix)
					if err != nil {
						t.Fatal(err)
					}
					fv, err := normalized(part.fry, p.fry.prefix)
					if err != nil {
						t.Fatal(err)
					}
					diff(part.name, dv, fv, &lines)
				}
				compared[phase]++
				lines = slices.DeleteFunc(lines, func(l string) bool {
					path, _, _ := strings.Cut(l, ":")
					return oracleDeliberate[path] != ""
				})
				if len(lines) > 0 {
					differing[phase]++
					for _, l := range lines {
						report = append(report, fmt.Sprintf("%s %s %s #%d: %s", p.mode["decimal.handling.mode"], tb, phase, i, l))
					}
				}
			}
		}
	}
	var summary []string
	for _, ph := range append(phases, "tombstone") {
		summary = append(summary, fmt.Sprintf("%s %d/%d", ph, compared[ph]-differing[ph], compared[ph]))
	}
	t.Logf("records identical/compared per phase: %s", strings.Join(summary, ", "))
	if len(report) > 0 {
		sort.Strings(report)
		if f := os.Getenv("ORACLE_REPORT"); f != "" {
			os.WriteFile(f, []byte(strings.Join(report, "\n")+"\n"), 0o644)
		}
		n := min(len(report), 60)
		t.Errorf("%d differences (first %d):\n%s", len(report), n, strings.Join(report[:n], "\n"))
	}
}

// dumpRecords writes a topic's records to $ORACLE_DUMP/<topic> when set.
func dumpRecords(topic string, recs []*kgo.Record) {
	dir := os.Getenv("ORACLE_DUMP")
	if dir == "" {
		return
	}
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\n%s\n\n", r.Key, r.Value)
	}
	os.WriteFile(dir+"/"+topic, []byte(b.String()), 0o644)
}
