//go:build integration

package mysqlcdc_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/sourcetest"
)

// allTypes has a column of every MariaDB type ferry maps; rowsOf writes a
// row of extremes, a row of NULLs and a row of ordinary values.
const allTypes = `(id INT PRIMARY KEY,
	ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
	i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, f FLOAT, d DOUBLE, dec1 DECIMAL(20,5), dec2 DECIMAL(65,30),
	ch CHAR(5), vc VARCHAR(100), tx TEXT, bn BINARY(4), vb VARBINARY(10), bl BLOB, b1 BIT(1), b12 BIT(12),
	en ENUM('small','medium','large'), st SET('a','b','c'), js JSON, dt DATE, tm TIME, tm6 TIME(6),
	dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6), ts TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, yr YEAR,
	nn INT NOT NULL DEFAULT 42, nv VARCHAR(10) NOT NULL DEFAULT 'dflt')`

func rowsOf(table string, base int) []string {
	return []string{
		fmt.Sprintf(`INSERT INTO %s VALUES (%d, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
			-9223372036854775808, 18446744073709551615, -3.4e38, 1.7976931348623157e308, -123456789012345.12345,
			12345678901234567890123456789012345.123456789012345678901234567891, 'abcde', 'héllo wörld ☃', 'long text',
			X'01020304', X'00FF', X'DEADBEEF', b'1', b'101010101010', 'large', 'a,c', '{"k": [1, 2, {"x": null}]}',
			'1000-01-01', '-838:59:59', '838:59:59.000000', '1000-01-01 00:00:00', '2020-02-29 12:34:56.789',
			'9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '2038-01-19 03:14:07.999999', 1901, -1, '')`, table, base+1),
		fmt.Sprintf(`INSERT INTO %s (id) VALUES (%d)`, table, base+2),
		fmt.Sprintf(`INSERT INTO %s VALUES (%d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.25, 0, 0, '', '', '', X'', X'', X'',
			b'0', b'0', 'small', '', '[]', '2024-02-29', '00:00:00', '12:00:00.000001', '2024-02-29 00:00:00',
			'2024-02-29 00:00:00.001', '2024-02-29 00:00:00.000001', '2024-02-29 00:00:00', '2024-02-29 00:00:00.000001', 2155, 7, 'x')`, table, base+3),
	}
}

// TestEveryType reads the same rows once from the snapshot and once from
// the binlog: both must give the same values, and the values must be
// Debezium's.
func TestEveryType(t *testing.T) {
	conn := db(t)
	name := uniq("types")
	exec(t, conn, "CREATE TABLE "+name+" "+allTypes)
	exec(t, conn, rowsOf(name, 0)...)
	hs := newHarness(t, connectorConfig(t, name, name))
	hs.DrainAtLeast(100, 4) // 3 rows and the CREATE TABLE schema change
	exec(t, conn, rowsOf(name, 10)...)
	hs.DrainAtLeast(100, 3)
	msgs := consume(t, name+"."+mariadb(t).db+"."+name, 6, 20*time.Second)
	if len(msgs) != 6 {
		t.Fatalf("got %d records, want 6", len(msgs))
	}
	for i := 0; i < 3; i++ {
		snap, stream := sourcetest.Payload(msgs[i].Value)["after"].(map[string]any), sourcetest.Payload(msgs[i+3].Value)["after"].(map[string]any)
		delete(snap, "id")
		delete(stream, "id")
		a, _ := json.Marshal(snap)
		b, _ := json.Marshal(stream)
		if string(a) != string(b) {
			t.Errorf("row %d: snapshot and binlog differ:\nsnapshot %s\nbinlog   %s", i+1, a, b)
		}
	}
	if s1, s2 := msgs[0].Value["schema"], msgs[3].Value["schema"]; fmt.Sprint(s1) != fmt.Sprint(s2) {
		t.Errorf("snapshot and binlog schemas differ")
	}
	ext := sourcetest.Payload(msgs[3].Value)["after"].(map[string]any)
	for col, want := range map[string]string{
		"ti": "-128", "tiu": "255", "siu": "65535", "miu": "16777215", "iu": "4294967295", "bi": "-9223372036854775808",
		"biu": "-1", "vc": "héllo wörld ☃", "bn": "AQIDBA==", "vb": "AP8=", "b1": "true", "b12": "qgo=",
		"en": "large", "st": "a,c", "js": `{"k": [1, 2, {"x": null}]}` /* MariaDB JSON is LONGTEXT */, "dt": "-354285", "tm": "-3020399000000",
		"tm6": "3020399000000", "dtm": "-30610224000000", "dtm3": "1582979696789", "dtm6": "253402300799999999",
		"ts": "1970-01-01T00:00:01Z", "ts6": "2038-01-19T03:14:07.999999Z", "yr": "1901", "nn": "-1",
	} {
		if got := fmt.Sprint(ext[col]); got != want {
			t.Errorf("%s = %s, want %s", col, got, want)
		}
	}
	nulls := sourcetest.Payload(msgs[4].Value)["after"].(map[string]any)
	for col, v := range nulls {
		switch col {
		case "id":
		case "nn":
			if fmt.Sprint(v) != "42" {
				t.Errorf("nn = %v, want its default 42", v)
			}
		case "nv":
			if v != "dflt" {
				t.Errorf("nv = %v, want its default", v)
			}
		default:
			if v != nil {
				t.Errorf("%s = %v, want null", col, v)
			}
		}
	}
	t.Logf("extremes: %s", msgs[3].Raw)
}
