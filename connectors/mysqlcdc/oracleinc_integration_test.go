//go:build integration

package mysqlcdc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/oracle"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/state"
	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"
)

// incRules are mysqlRules with what differs on purpose in an incremental
// snapshot's reads (each listed in docs/connectors.md).
var incRules = func() oracle.Rules {
	r := mysqlRules
	r.Deliberate = maps.Clone(mysqlRules.Deliberate)
	r.Deliberate["value.payload.source.pos"] = "each connector's reads name its own high watermark's event (checked: a signalling table row event)"
	return r
}()

// TestDebeziumOracleIncremental sends one execute-snapshot signal for two
// tables (every column type; a composite key) to Debezium's MySqlConnector
// and to ferry's MariaDbConnector streaming the same MariaDB (see
// oracleVersion), both with chunks of 2 rows, and compares every read.
func TestDebeziumOracleIncremental(t *testing.T) {
	conn, host, port, id := oracleServer(t, "oinc")
	db := id
	exec(t, conn, "CREATE TABLE "+db+".sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE "+db+".big (id INT PRIMARY KEY)", "INSERT INTO "+db+".big SELECT seq FROM "+db+".seq_1_to_20000")
	mode := maps.Clone(oracleModes[0])
	mode["snapshot.mode"] = "no_data"
	mode["signal.data.collection"] = db + ".sig"
	mode["incremental.snapshot.chunk.size"] = "2"

	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	kc := oracle.KafkaConnect{T: t, URL: env(t, "KAFKA_CONNECT_URL"), Seeds: seeds}
	dname, fname := "dbz"+id[4:], "fry"+id[4:]
	kc.Start(oracleConfig(t, dname, mysqlcdc.MySQLClass, host, port, db, mode, 5700), nil)
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, fname) })
	hs := newHarness(t, oracleConfig(t, fname, mysqlcdc.MariaDBClass, host, port, db, mode, 5800))
	tables := []string{"types", "multi", "mark"}
	dbz, fry := oracle.NewSide(dname, db, tables), oracle.NewSide(fname, db, tables)
	c := oracle.NewCollector(t, seeds, append(topicList(dbz), append(topicList(fry), dname, fname)...))

	// Both stream (their schema snapshot, then a marker, is in Kafka)
	// before the signal.
	dbz.Topics[""], fry.Topics[""] = dname, fname
	c.InvokeUntil("ferry's schema snapshot", func() bool { return len(c.Recs[fname]) > 0 }, hs.Running)
	c.Until("Debezium's schema snapshot", func() bool { return len(c.Recs[dname]) > 0 })
	exec(t, conn, "INSERT INTO "+db+".mark VALUES (1)")
	c.InvokeUntilMarker(fry, 1, hs.Running)
	c.Until("Debezium's marker", func() bool { return c.HasID(dbz.Topics["mark"], 1) })
	exec(t, conn, "INSERT INTO "+db+`.sig VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["`+db+`.types", "`+db+`.multi"], "type": "incremental"}')`)
	counts := map[string]int{"types": 4, "multi": 3}
	c.InvokeUntil("ferry's incremental snapshot", func() bool { return c.HasCounts(fry, counts) }, hs.Running)
	c.WantCounts(dbz, counts)

	tally := oracle.NewTally()
	phase := func(*kgo.Record) string { return "incremental snapshot" }
	if err := tally.CompareSides(c, incRules, dbz, fry, []string{"types", "multi"}, phase, "incremental"); err != nil {
		t.Fatal(err)
	}
	tally.Check(t, []string{"incremental snapshot"})
	// Debezium's offset in the middle of a longer snapshot reads as ferry
	// reads its own: the tables left, the last key emitted, the maximum key.
	exec(t, conn, "INSERT INTO "+db+`.sig VALUES ('ad-hoc-2', 'execute-snapshot', '{"data-collections": ["`+db+`.big"]}')`)
	off := debeziumOffset(t, dname, func(off map[string]any) bool {
		q, _ := off[debezium.OffsetIncrementalCollections].(string)
		k, _ := off[debezium.OffsetIncrementalPrimaryKey].(string)
		key, _ := debezium.DecodeKey(k)
		return strings.Contains(q, db+".big") && key != nil
	})
	queue, _, err := debezium.DecodeCollections(off[debezium.OffsetIncrementalCollections].(string))
	if err != nil || len(queue) != 1 || queue[0] != db+".big" {
		t.Fatalf("Debezium's %s = %v: %v", debezium.OffsetIncrementalCollections, off[debezium.OffsetIncrementalCollections], err)
	}
	last, lerr := debezium.DecodeKey(off[debezium.OffsetIncrementalPrimaryKey].(string))
	max, merr := debezium.DecodeKey(off[debezium.OffsetIncrementalMaximumKey].(string))
	if lerr != nil || merr != nil || len(last) != 1 || fmt.Sprintf("%T", last[0]) != "int32" || fmt.Sprint(max) != "[20000]" {
		t.Fatalf("Debezium's offset keys read as %#v (%v), %#v (%v)", last, lerr, max, merr)
	}
	if enc := debezium.EncodeKey(max); enc != off[debezium.OffsetIncrementalMaximumKey] {
		t.Fatalf("ferry writes the maximum key as %s, Debezium as %s", enc, off[debezium.OffsetIncrementalMaximumKey])
	}
	// (Debezium's chunks of 2 keep its snapshot of 20,000 rows running past
	// several offset flushes; ferry resumes it in chunks of 1024.)
	resumed := maps.Clone(mode)
	resumed["incremental.snapshot.chunk.size"] = "1024"
	resumeDebezium(t, off, int(last[0].(int32)), 20000, oracleConfig(t, "res"+id[4:], mysqlcdc.MariaDBClass, host, port, db, resumed, 5900), db+".big")
	watermarks := signalEvents(t, conn, db+".sig")
	for _, side := range []oracle.Side{dbz, fry} {
		for _, tb := range []string{"types", "multi"} {
			for _, r := range c.Recs[side.Topics[tb]] {
				ch, err := oracle.ParseChange(r)
				if err != nil {
					t.Fatal(err)
				}
				at := fmt.Sprintf("%v:%v", ch.Payload.Source["file"], ch.Payload.Source["pos"])
				if !watermarks[at] {
					t.Fatalf("%s: a read's source names %s, not a signalling table row event (%v)", side.Prefix, at, watermarks)
				}
			}
		}
	}
	t.Log(tally.Summary([]string{"incremental snapshot"}))
}

// resumeDebezium starts ferry's connector cfg from Debezium's offset off,
// taken while it read table (keys 1..max) after key from: ferry reads
// each row after from once, none before.
func resumeDebezium(t *testing.T, off map[string]any, from, max int, cfg map[string]string, table string) {
	name := cfg["name"]
	seeds := strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")
	t.Cleanup(func() { oracle.DeleteTopics(t, seeds, name) })
	hs := newHarness(t, cfg)
	ctx := context.Background()
	epoch, err := hs.Store.NextEpoch(ctx, name, 0)
	if err == nil {
		err = hs.Store.CommitOffsets(ctx, name, 0, epoch, []state.OffsetEntry{{Partition: map[string]any{mysqlcdc.PartitionServer: name}, Offset: off}})
	}
	if err != nil {
		t.Fatal(err)
	}
	topic := name + "." + table
	c := oracle.NewCollector(t, seeds, []string{topic})
	c.InvokeUntil("ferry resuming Debezium's snapshot", func() bool { return len(c.Recs[topic]) >= max-from }, hs.Running)
	seen := map[int]bool{}
	for _, r := range c.Recs[topic] {
		var v struct {
			Payload struct {
				Op    string
				After struct{ ID int }
			}
		}
		if err := json.Unmarshal(r.Value, &v); err != nil || v.Payload.Op != "r" || v.Payload.After.ID <= from || seen[v.Payload.After.ID] {
			t.Fatalf("resuming after key %d: record %s (%v)", from, r.Value, err)
		}
		seen[v.Payload.After.ID] = true
	}
	if len(seen) != max-from {
		t.Fatalf("resuming after key %d: %d rows read, want %d", from, len(seen), max-from)
	}
	t.Logf("ferry resumed Debezium's snapshot of %s after key %d: rows %d-%d read once each", table, from, from+1, max)
}

// signalEvents lists the binlog positions ("file:pos") of the row events
// of the signalling table sig.
func signalEvents(t *testing.T, conn *client.Conn, sig string) map[string]bool {
	logs, err := conn.Execute("SHOW BINARY LOGS")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for i := range logs.Values {
		file, _ := logs.GetString(i, 0)
		res, err := conn.Execute("SHOW BINLOG EVENTS IN '" + file + "'")
		if err != nil {
			t.Fatal(err)
		}
		mapped := false
		for j := range res.Values {
			typ, _ := res.GetString(j, 2)
			info, _ := res.GetString(j, 5)
			pos, _ := res.GetInt(j, 1)
			switch {
			case typ == "Table_map":
				mapped = strings.Contains(info, "("+sig+")")
			case strings.HasSuffix(typ, "_rows_v1") || strings.HasSuffix(typ, "_rows"):
				if mapped {
					out[fmt.Sprintf("%s:%d", file, pos)] = true
				}
			}
		}
	}
	return out
}

// debeziumOffset waits (bounded) for an offset the reference Kafka Connect
// committed for connector name that satisfies want.
func debeziumOffset(t *testing.T, name string, want func(map[string]any) bool) map[string]any {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(env(t, "KAFKA_BOOTSTRAP_SERVERS"), ",")...),
		kgo.ConsumeTopics("ferry-reference-connect-offsets"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		var found map[string]any
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if !strings.Contains(string(r.Key), `"`+name+`"`) || r.Value == nil {
				return
			}
			var off map[string]any
			if json.Unmarshal(r.Value, &off) == nil && want(off) && found == nil {
				found = off
			}
		})
		if found != nil {
			return found
		}
	}
	t.Fatalf("no offset of %s as wanted in 40 s", name)
	return nil
}

func topicList(s oracle.Side) []string {
	var out []string
	for _, tp := range s.Topics {
		out = append(out, tp)
	}
	return out
}
