//go:build integration

package mysqlcdc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIncrementalSnapshotCompositeKey: an incremental snapshot of a table
// keyed by (VARCHAR, DATETIME(6), DECIMAL) under concurrent changes: the
// chunk queries compare the composite key, and the window drops rows by
// key values decoded from the binlog, equal to those read by the chunk.
func TestIncrementalSnapshotCompositeKey(t *testing.T) {
	conn := db(t)
	name := uniq("inckey")
	exec(t, conn, "CREATE TABLE "+name+" (name VARCHAR(20), at DATETIME(6), amount DECIMAL(10,2), v BIGINT NOT NULL, PRIMARY KEY (name, at, amount))")
	row := func(n, v int) string {
		return fmt.Sprintf("('n%04d', DATE_ADD('2024-01-01 00:00:00.000001', INTERVAL %d SECOND), %d.25, %d)", n, n, n, v)
	}
	var vals []string
	for n := 1; n <= 400; n++ {
		vals = append(vals, row(n, n))
	}
	exec(t, conn, "INSERT INTO "+name+" VALUES "+strings.Join(vals, ","))
	sig := slowSignalTable(t)
	hs := newHarness(t, incConfig(t, sig, "20", name))
	hs.drainAtLeast(100, 1)
	stop := writeWith(t, 440, func(op, n, seq int) string {
		switch op {
		case 0:
			return fmt.Sprintf("UPDATE %s SET v = %d WHERE name = 'n%04d'", name, seq, n)
		case 1:
			return fmt.Sprintf("DELETE FROM %s WHERE name = 'n%04d'", name, n)
		}
		return fmt.Sprintf("INSERT INTO %s VALUES %s ON DUPLICATE KEY UPDATE v = %d", name, row(n, seq), seq)
	})
	exec(t, conn, "INSERT INTO "+strings.Split(sig, ".")[1]+` VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["`+mariadb(t).db+"."+name+`"]}')`)
	invocations := hs.untilSnapshotEnds(100)
	writes := stop()
	hs.drainQuiet()
	topic := name + "." + mariadb(t).db + "." + name
	msgs := consume(t, topic, endOffset(t, topic), 30*time.Second)
	rows, reads := foldEvents(t, msgs, "incremental", "name")
	checkFinal(t, rows, tableState(t, name, "name"))
	if reads < 100 {
		t.Fatalf("%d reads, want most of 400 rows", reads)
	}
	t.Logf("%d writes during %d invocations; %d records, %d reads", writes, invocations, len(msgs), reads)
}
