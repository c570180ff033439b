//go:build integration

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/mysqlcdc/mariadbtest"
	"github.com/go-mysql-org/go-mysql/client"
)

// peerMariaDBVersion is the version the peers' private MariaDB reports:
// Debezium's MariaDbConnector is not served by the reachable registry, and
// its MySqlConnector 3.6.1 refuses a server whose version names MariaDB
// 10.11; as MySQL 5.7.19 it reads the same binlog (as in mysqlcdc's
// TestDebeziumOracleMariaDB). Ferry's MariaDbConnector reads it as MariaDB.
const peerMariaDBVersion = "5.7.19-mariadb-peer"

// BenchmarkPeerMariaDB runs, against one private MariaDB, ferry's
// MariaDbConnector and Debezium's MySqlConnector 3.6.1 (see
// peerMariaDBVersion) on a private Kafka Connect 4.1.1 ConnectStandalone,
// one after the other, with raw franz-go producing copies of ferry's record
// in the same run:
//   - the snapshot of a table of N rows of about 200 bytes (FERRY_PEER_ROWS,
//     default 200,000) into Kafka, rows per CPU-second of each process from
//     its start (JVM start-up included, as bench-kc counts it) until the
//     topic holds N records;
//   - streaming n changes (FERRY_PEER_CHANGES, default 100,000: 100 INSERTs
//     of 1,000 rows), as peerStream measures them.
//
// Both write schemaless JSON. Figures only, nothing asserted.
func BenchmarkPeerMariaDB(b *testing.B) {
	seeds := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if seeds == "" {
		b.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka mariadb kafka-connect)\"`")
	}
	rows, n := 200_000, peerChanges()
	if v, err := strconv.Atoi(os.Getenv("FERRY_PEER_ROWS")); err == nil && v > 0 {
		rows = v
	}
	host, port := peerMariaDB(b)
	conn, err := client.Connect(host+":"+port, "cdc", "cdc", "")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	db := "peer_" + run
	const columns = "(id INT PRIMARY KEY, label VARCHAR(200) NOT NULL, qty INT NOT NULL, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))"
	insert := func(tbl string, lo, hi int) string {
		return fmt.Sprintf("INSERT INTO %s.%s (id, label, qty) SELECT seq, CONCAT(REPEAT('x', 150), seq), seq FROM %s.seq_%d_to_%d", db, tbl, db, lo, hi)
	}
	myExec(b, conn, "CREATE DATABASE "+db, "CREATE TABLE "+db+".snap "+columns)
	for lo := 1; lo <= rows; lo += 10_000 {
		myExec(b, conn, insert("snap", lo, min(rows, lo+9_999)))
	}
	bin := buildFerry(b)
	cfg := func(class, prefix, table string, id int) map[string]string {
		return withJSON(map[string]string{"name": prefix, "connector.class": class, "tasks.max": "1",
			"database.hostname": host, "database.port": port, "database.user": "cdc", "database.password": "cdc",
			"database.server.id": strconv.Itoa(id), "topic.prefix": prefix,
			"database.include.list": db, "table.include.list": db + "." + table, "snapshot.mode": "initial",
			"schema.history.internal.kafka.topic": "schemahistory." + prefix, "schema.history.internal.kafka.bootstrap.servers": seeds,
			"schema.history.internal.store.only.captured.databases.ddl": "true"})
	}
	const ferryClass, dbzClass = "io.debezium.connector.mariadb.MariaDbConnector", "io.debezium.connector.mysql.MySqlConnector"
	stream := func(prefix string, start func(cfg map[string]string) peerProc, class string, id int) streamFigures {
		tbl := "s_" + prefix
		myExec(b, conn, "CREATE TABLE "+db+"."+tbl+" "+columns)
		return peerStream(b, seeds, prefix, prefix+"."+db+"."+tbl, n,
			func() peerProc { return start(cfg(class, prefix, tbl, id)) },
			func() {
				myExec(b, conn, fmt.Sprintf("INSERT INTO %s.%s (id, label, qty) VALUES (0, REPEAT('x', 150), 0)", db, tbl))
			},
			func(from int) {
				for lo := from; lo < from+n; lo += 1000 {
					myExec(b, conn, insert(tbl, lo, min(from+n-1, lo+999)))
				}
			})
	}
	ferryStart := func(cfg map[string]string) peerProc { return ferryStandalone(b, bin, seeds, cfg) }
	dbzStart := func(cfg map[string]string) peerProc { return debeziumStandalone(b, seeds, cfg) }
	for i := range b.N {
		fp, dp := fmt.Sprintf("peermf_%s_%d", run, i), fmt.Sprintf("peermd_%s_%d", run, i)
		ferry := peerRun(b, seeds, fp+"."+db+".snap", rows, func(string) *exec.Cmd { return ferryStart(cfg(ferryClass, fp, "snap", 5700+4*i)).cmd })
		dbz := peerRun(b, seeds, dp+"."+db+".snap", rows, func(string) *exec.Cmd { return dbzStart(cfg(dbzClass, dp, "snap", 5701+4*i)).cmd })
		raw := rawProduce(b, seeds, fp+"."+db+".snap", rows)
		fmt.Printf("peer (MariaDB snapshot of %d rows -> Kafka): ferry %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), Debezium on Kafka Connect %.0f rows/CPU-s (%.2f CPU s, %.0f B/record), raw franz-go %.0f records/CPU-s: ferry/Debezium %.2f, ferry/raw %.2f\n",
			rows, ferry.perCPU(rows), ferry.cpu, ferry.bytes, dbz.perCPU(rows), dbz.cpu, dbz.bytes, raw.perCPU,
			ferry.perCPU(rows)/dbz.perCPU(rows), ferry.perCPU(rows)/raw.perCPU)
		b.ReportMetric(ferry.perCPU(rows), "snapshot-ferry-rows/cpu-s")
		b.ReportMetric(dbz.perCPU(rows), "snapshot-debezium-rows/cpu-s")
		b.ReportMetric(raw.perCPU, "snapshot-raw-records/cpu-s")
		b.ReportMetric(ferry.perCPU(rows)/dbz.perCPU(rows), "snapshot-ferry/debezium-x")
		b.ReportMetric(ferry.perCPU(rows)/raw.perCPU, "snapshot-ferry/raw-x")
		fs := stream(fp+"s", ferryStart, ferryClass, 5702+4*i)
		ds := stream(dp+"s", dbzStart, dbzClass, 5703+4*i)
		reportStream(b, "MariaDB", n, fs, ds, rawProduce(b, seeds, fp+"s."+db+".s_"+fp+"s", n))
	}
}

// myExec runs each statement, failing the benchmark on an error.
func myExec(b *testing.B, conn *client.Conn, stmts ...string) {
	for _, s := range stmts {
		if _, err := conn.Execute(s); err != nil {
			b.Fatalf("%s: %v", s, err)
		}
	}
}

// peerMariaDB starts a MariaDB of the benchmark's own on a free port,
// reporting peerMariaDBVersion, with a user cdc (password cdc) that may do
// everything; it is stopped when the benchmark ends.
func peerMariaDB(b *testing.B) (host, port string) {
	return mariadbtest.Start(b, "", "--version="+peerMariaDBVersion, "--binlog-row-image=FULL", "--binlog-row-metadata=FULL",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--innodb-buffer-pool-size=256M")
}
