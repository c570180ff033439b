//go:build integration

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		b.Fatalf("connecting to %s: %v", pgURL, err)
	}
	defer conn.Close(ctx)
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
			return ferryPostgres(b, bin, seeds, pgURL, fslot, "public."+tbl)
		})
		cond := peerRun(b, seeds, cslot, n, func(topic string) *exec.Cmd {
			return conduitPostgres(b, conduit, seeds, pgURL, cslot, tbl, topic)
		})
		dslot := fmt.Sprintf("peerd_%s_%d", run, i)
		dropReplication(b, conn, dslot)
		dbz := peerRun(b, seeds, dslot+".public."+tbl, n, func(topic string) *exec.Cmd {
			return debeziumPostgres(b, seeds, pgURL, dslot, "public."+tbl)
		})
		fmt.Printf("peer (PostgreSQL snapshot of %d rows -> Kafka): ferry %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), Conduit %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), Debezium on Kafka Connect %.0f rows/CPU-s (%.2f CPU s, %.0f B/record): ferry/Conduit %.2f, ferry/Debezium %.2f\n",
			n, ferry.perCPU(n), ferry.cpu, ferry.bytes, cond.perCPU(n), cond.cpu, cond.bytes, dbz.perCPU(n), dbz.cpu, dbz.bytes,
			ferry.perCPU(n)/cond.perCPU(n), ferry.perCPU(n)/dbz.perCPU(n))
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

// ferryPostgres starts ferry standalone snapshotting table into
// <prefix>.<table> with slot and publication named prefix.
func ferryPostgres(b *testing.B, bin, seeds, pgURL, prefix, table string) *exec.Cmd {
	u, err := url.Parse(pgURL)
	if err != nil {
		b.Fatal(err)
	}
	pw, _ := u.User.Password()
	conn, _ := json.Marshal(map[string]any{"name": prefix, "config": map[string]string{
		"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "tasks.max": "1",
		"database.hostname": u.Hostname(), "database.port": u.Port(), "database.user": u.User.Username(),
		"database.password": pw, "database.dbname": strings.TrimPrefix(u.Path, "/"), "database.sslmode": "disable",
		"topic.prefix": prefix, "slot.name": prefix, "publication.name": prefix, "publication.autocreate.mode": "filtered",
		"table.include.list": table, "plugin.name": "pgoutput", "snapshot.mode": "initial",
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}})
	dir := b.TempDir()
	path := filepath.Join(dir, "pg.json")
	if err := os.WriteFile(path, conn, 0o644); err != nil {
		b.Fatal(err)
	}
	return startPeer(b, exec.Command(bin, "standalone", "--bootstrap-servers", seeds, "--data-dir", filepath.Join(dir, "data"),
		"--listeners", fmt.Sprintf("http://127.0.0.1:%d", freeTCPPort(b)), "--log-level", "warn", path))
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

// debeziumPostgres starts a private Kafka Connect standalone worker (the
// stack's jars and plugin path) running Debezium's PostgresConnector with
// the same settings as ferryPostgres.
func debeziumPostgres(b *testing.B, seeds, pgURL, prefix, table string) *exec.Cmd {
	stack := os.Getenv("FERRY_STACK_DIR")
	if stack == "" {
		stack = filepath.Join(os.Getenv("HOME"), ".cache", "ferry-stack")
	}
	home := filepath.Join(stack, "kafka-connect")
	if _, err := os.Stat(filepath.Join(home, "plugins", "debezium-connector-postgres")); err != nil {
		b.Fatalf("Debezium's PostgreSQL connector is not on %s/plugins: run localstack/up kafka-connect", home)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		b.Fatal(err)
	}
	pw, _ := u.User.Password()
	dir := b.TempDir()
	worker := fmt.Sprintf(`bootstrap.servers=%s
listeners=http://127.0.0.1:%d
key.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=%s/offsets
offset.flush.interval.ms=1000
plugin.path=%s/plugins
`, seeds, freeTCPPort(b), dir, home)
	connector := fmt.Sprintf(`name=%s
connector.class=io.debezium.connector.postgresql.PostgresConnector
tasks.max=1
database.hostname=%s
database.port=%s
database.user=%s
database.password=%s
database.dbname=%s
topic.prefix=%s
slot.name=%s
publication.name=%s
publication.autocreate.mode=filtered
table.include.list=%s
plugin.name=pgoutput
snapshot.mode=initial
`, prefix, u.Hostname(), u.Port(), u.User.Username(), pw, strings.TrimPrefix(u.Path, "/"), prefix, prefix, prefix, table)
	for name, body := range map[string]string{"worker.properties": worker, "connector.properties": connector} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return startPeer(b, exec.Command("java", "-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
		"-Dlog4j2.configurationFile="+filepath.Join(home, "log4j2.properties"), "-Dkafka.logs.dir="+dir,
		"-cp", filepath.Join(home, "libs", "*"), "org.apache.kafka.connect.cli.ConnectStandalone",
		filepath.Join(dir, "worker.properties"), filepath.Join(dir, "connector.properties")))
}
