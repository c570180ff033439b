//go:build integration

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkPeerConduitPostgres snapshots the same PostgreSQL table of N rows
// of about 200 bytes into Kafka with ferry's PostgreSQL connector
// (Debezium's PostgresConnector keys, snapshot.mode=initial, JsonConverter
// without schemas) and with Conduit's postgres source (snapshotMode
// initial) and with Debezium's PostgresConnector 3.6.1 on the reference
// Kafka Connect 4.1.1 (a private ConnectStandalone, JVM start-up included,
// as bench-kc counts it), one after the other, and reports each side's rows per
// CPU-second from start until the topic holds N records, the ratio, and the
// bytes per record each wrote (ferry and Debezium write the same
// envelope; Conduit its OpenCDC record: alike, not equal). Each side's replication slot and publication
// are dropped afterwards. Figures only, nothing asserted.
func BenchmarkPeerConduitPostgres(b *testing.B) {
	seeds, conduit, pgURL := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("CONDUIT_BIN"), os.Getenv("POSTGRES_URL")
	if seeds == "" || conduit == "" || pgURL == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS, CONDUIT_BIN and POSTGRES_URL must be set: run `eval \"$(localstack/up kafka postgres conduit)\"`")
	}
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("FERRY_PEER_ROWS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	conn := peerConn(b, pgURL)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	tbl := "peer_" + run
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL, ts TIMESTAMPTZ NOT NULL DEFAULT now());
		INSERT INTO %s SELECT g, repeat('x', 150) || g, g FROM generate_series(1, %d) g`, tbl, tbl, n)); err != nil {
		b.Fatalf("creating %s: %v", tbl, err)
	}
	b.Cleanup(func() { conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+tbl) })
	bin := buildFerry(b)
	for i := range b.N {
		fslot, cslot := fmt.Sprintf("peerf_%s_%d", run, i), fmt.Sprintf("peerc_%s_%d", run, i)
		dropReplication(b, conn, fslot, cslot)
		ferry := peerRun(b, seeds, fslot+".public."+tbl, n, func(topic string) *exec.Cmd {
			return ferryStandalone(b, bin, seeds, pgConnector(b, pgURL, fslot, "public."+tbl, "initial")).cmd
		})
		cond := peerRun(b, seeds, cslot, n, func(topic string) *exec.Cmd {
			return conduitPostgres(b, conduit, seeds, pgURL, cslot, tbl, topic)
		})
		dslot := fmt.Sprintf("peerd_%s_%d", run, i)
		dropReplication(b, conn, dslot)
		dbz := peerRun(b, seeds, dslot+".public."+tbl, n, func(topic string) *exec.Cmd {
			return debeziumStandalone(b, seeds, pgConnector(b, pgURL, dslot, "public."+tbl, "initial")).cmd
		})
		raw := rawProduce(b, seeds, fslot+".public."+tbl, n)
		fmt.Printf("peer (PostgreSQL snapshot of %d rows -> Kafka): ferry %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), Conduit %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), Debezium on Kafka Connect %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), raw franz-go %.0f records/CPU-s: ferry/Conduit %.2f, ferry/Debezium %.2f, ferry/raw %.2f\n",
			n, ferry.perCPU(n), ferry.cpu, ferry.bytes, cond.perCPU(n), cond.cpu, cond.bytes, dbz.perCPU(n), dbz.cpu, dbz.bytes, raw.perCPU,
			ferry.perCPU(n)/cond.perCPU(n), ferry.perCPU(n)/dbz.perCPU(n), ferry.perCPU(n)/raw.perCPU)
		b.ReportMetric(raw.perCPU, "raw-records/cpu-s")
		b.ReportMetric(ferry.perCPU(n)/raw.perCPU, "ferry/raw-x")
		b.ReportMetric(dbz.perCPU(n), "debezium-rows/cpu-s")
		b.ReportMetric(ferry.perCPU(n)/dbz.perCPU(n), "ferry/debezium-x")
		b.ReportMetric(dbz.bytes, "debezium-B/record")
		b.ReportMetric(ferry.perCPU(n), "ferry-rows/cpu-s")
		b.ReportMetric(cond.perCPU(n), "conduit-rows/cpu-s")
		b.ReportMetric(ferry.perCPU(n)/cond.perCPU(n), "ferry/conduit-x")
		b.ReportMetric(ferry.bytes, "ferry-B/record")
		b.ReportMetric(cond.bytes, "conduit-B/record")
	}
}

// BenchmarkPeerPostgresStream streams n changes (FERRY_PEER_CHANGES,
// default 100,000: 100 INSERT transactions of 1,000 rows of about 200
// bytes) from PostgreSQL into Kafka with ferry's PostgreSQL connector and
// with Debezium's PostgresConnector 3.6.1 on a private Kafka Connect 4.1.1
// ConnectStandalone, one after the other (each its own table, slot and
// publication), as peerStream measures them, and raw franz-go producing
// copies of ferry's record in the same run. It reports changes/s and
// changes per CPU-second of each side and the ratios. Figures only.
func BenchmarkPeerPostgresStream(b *testing.B) {
	seeds, pgURL := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"), os.Getenv("POSTGRES_URL")
	if seeds == "" || pgURL == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS and POSTGRES_URL must be set: run `eval \"$(localstack/up kafka postgres kafka-connect)\"`")
	}
	n := peerChanges()
	conn := peerConn(b, pgURL)
	bin := buildFerry(b)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	side := func(prefix string, start func(cfg map[string]string) peerProc) streamFigures {
		tbl := prefix + "_t"
		pgExec(b, conn, fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL, ts TIMESTAMPTZ NOT NULL DEFAULT now())", tbl))
		b.Cleanup(func() { conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+tbl) })
		dropReplication(b, conn, prefix)
		return peerStream(b, seeds, prefix, prefix+".public."+tbl, n,
			func() peerProc { return start(pgConnector(b, pgURL, prefix, "public."+tbl, "initial")) },
			func() { pgExec(b, conn, fmt.Sprintf("INSERT INTO %s VALUES (0, repeat('x', 150), 0)", tbl)) },
			func(from int) {
				for lo := from; lo < from+n; lo += 1000 {
					pgExec(b, conn, fmt.Sprintf("INSERT INTO %s SELECT g, repeat('x', 150) || g, g FROM generate_series(%d, %d) g", tbl, lo, min(from+n-1, lo+999)))
				}
			})
	}
	for i := range b.N {
		fprefix, dprefix := fmt.Sprintf("peersf_%s_%d", run, i), fmt.Sprintf("peersd_%s_%d", run, i)
		ferry := side(fprefix, func(cfg map[string]string) peerProc { return ferryStandalone(b, bin, seeds, cfg) })
		dbz := side(dprefix, func(cfg map[string]string) peerProc { return debeziumStandalone(b, seeds, cfg) })
		raw := rawProduce(b, seeds, fprefix+".public."+fprefix+"_t", n)
		reportStream(b, "PostgreSQL", n, ferry, dbz, raw)
	}
}

// peerChanges is FERRY_PEER_CHANGES, default 100,000.
func peerChanges() int {
	if v, err := strconv.Atoi(os.Getenv("FERRY_PEER_CHANGES")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// reportStream prints and reports the streaming figures of ferry, Debezium
// and raw franz-go (units prefixed "stream-").
func reportStream(b *testing.B, db string, n int, ferry, dbz streamFigures, raw rawFigures) {
	fcpu, dcpu := float64(n)/ferry.cpu, float64(n)/dbz.cpu
	fmt.Printf("peer (%s streaming of %d changes -> Kafka): ferry %.0f changes/s, %.0f changes/CPU-s (%.0f B/record); Debezium on Kafka Connect %.0f changes/s, %.0f changes/CPU-s (%.0f B/record); raw franz-go %.0f records/s, %.0f records/CPU-s: ferry/Debezium %.2f (changes/s) %.2f (per CPU-s), ferry/raw %.2f (changes/s) %.2f (per CPU-s)\n",
		db, n, ferry.perSec, fcpu, ferry.bytes, dbz.perSec, dcpu, dbz.bytes, raw.perSec, raw.perCPU,
		ferry.perSec/dbz.perSec, fcpu/dcpu, ferry.perSec/raw.perSec, fcpu/raw.perCPU)
	for _, m := range []struct {
		v    float64
		unit string
	}{
		{ferry.perSec, "ferry-changes/s"}, {fcpu, "ferry-changes/cpu-s"}, {ferry.bytes, "ferry-B/record"},
		{dbz.perSec, "debezium-changes/s"}, {dcpu, "debezium-changes/cpu-s"}, {dbz.bytes, "debezium-B/record"},
		{raw.perSec, "raw-records/s"}, {raw.perCPU, "raw-records/cpu-s"},
		{ferry.perSec / dbz.perSec, "ferry/debezium-x"}, {fcpu / dcpu, "ferry/debezium-cpu-x"},
		{ferry.perSec / raw.perSec, "ferry/raw-x"}, {fcpu / raw.perCPU, "ferry/raw-cpu-x"},
	} {
		b.ReportMetric(m.v, "stream-"+m.unit)
	}
}

// pgExec runs SQL, failing the benchmark on an error.
func pgExec(b *testing.B, conn *pgx.Conn, sql string) {
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// peerConn connects to PostgreSQL for the benchmark's own statements and
// closes the connection after every other cleanup: the tables, slots and
// publications are dropped through it when the benchmark ends (closed by a
// defer, it was gone by then, and each run left its slots holding WAL back).
func peerConn(b *testing.B, pgURL string) *pgx.Conn {
	conn, err := pgx.Connect(context.Background(), pgURL)
	if err != nil {
		b.Fatalf("connecting to %s: %v", pgURL, err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// dropReplication drops the named slots and publications when the
// benchmark ends (a left-over slot would hold WAL back).
func dropReplication(b *testing.B, conn *pgx.Conn, names ...string) {
	b.Cleanup(func() {
		ctx := context.Background()
		for _, name := range names {
			for try := 0; try < 50; try++ {
				_, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", name)
				if err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+name)
		}
	})
}

// pgConnector is the PostgresConnector config (ferry's and Debezium's
// alike) capturing table into <prefix>.<table>, with slot and publication
// named prefix, written as schemaless JSON.
func pgConnector(b *testing.B, pgURL, prefix, table, mode string) map[string]string {
	u, err := url.Parse(pgURL)
	if err != nil {
		b.Fatal(err)
	}
	pw, _ := u.User.Password()
	return withJSON(map[string]string{"name": prefix,
		"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "tasks.max": "1",
		"database.hostname": u.Hostname(), "database.port": u.Port(), "database.user": u.User.Username(),
		"database.password": pw, "database.dbname": strings.TrimPrefix(u.Path, "/"), "database.sslmode": "disable",
		"topic.prefix": prefix, "slot.name": prefix, "publication.name": prefix, "publication.autocreate.mode": "filtered",
		"table.include.list": table, "plugin.name": "pgoutput", "snapshot.mode": mode})
}

// conduitPostgres starts Conduit snapshotting table into topic, with its
// slot and publication named slot.
func conduitPostgres(b *testing.B, bin, seeds, pgURL, slot, table, topic string) *exec.Cmd {
	pipeline := fmt.Sprintf(`version: 2.2
pipelines:
  - id: peerpg
    status: running
    connectors:
      - id: pg
        type: source
        plugin: builtin:postgres
        settings:
          url: %s
          tables: %s
          snapshotMode: initial
          cdcMode: logrepl
          logrepl.slotName: %s
          logrepl.publicationName: %s
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings:
          servers: %s
          topic: %s
          compression: none
          acks: all
          sdk.batch.size: "10000"
          sdk.batch.delay: 100ms
`, pgURL+"?sslmode=disable", table, slot, slot, seeds, topic)
	return conduitRun(b, bin, pipeline)
}
