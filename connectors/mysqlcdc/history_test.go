package mysqlcdc

import (
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// The history's column length, as Debezium 3.6's DDL parser records it
// (found by TestDebeziumOracleMariaDB).
func TestHistoryLength(t *testing.T) {
	for _, tc := range []struct {
		c    column
		want int32
		ok   bool
	}{
		{column{dataType: "int", columnType: "int(11)"}, 11, true},
		{column{dataType: "tinyint", columnType: "tinyint(1)"}, 1, true},
		{column{dataType: "bigint", columnType: "bigint(20) unsigned"}, 20, true},
		{column{dataType: "decimal", columnType: "decimal(12,3)"}, 12, true},
		{column{dataType: "time", columnType: "time(6)"}, 6, true},
		{column{dataType: "time", columnType: "time"}, 0, false},
		{column{dataType: "text", columnType: "text"}, 0, false},
		{column{dataType: "double", columnType: "double"}, 0, false},
		{column{dataType: "enum", columnType: "enum('a','bcd')", values: []string{"a", "bcd"}}, 3, true},
		{column{dataType: "set", columnType: "set('x','y','z')", values: []string{"x", "y", "z"}}, 5, true},
	} {
		got, ok := historyLength(&tc.c)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %d %v, want %d %v", tc.c.columnType, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEnumValuesQuotedInHistory(t *testing.T) {
	in := []string{"a", "it's", ""}
	q := quoteValues(in)
	if strings.Join(q, ",") != `'a','it''s',''` {
		t.Errorf("quoted %q", q)
	}
	if back := unquoteValues(q); !slices.Equal(back, in) {
		t.Errorf("unquoted %q", back)
	}
	if back := unquoteValues([]string{"a"}); !slices.Equal(back, []string{"a"}) { // an older history
		t.Errorf("unquoted %q", back)
	}
}

func TestAdaptiveTimePrecisionRefused(t *testing.T) {
	_, err := parseConfig(map[string]string{"database.hostname": "h", "database.user": "u", "topic.prefix": "p",
		"time.precision.mode": "adaptive"})
	if err == nil || !strings.Contains(err.Error(), "The 'adaptive' time.precision.mode is no longer supported") {
		t.Fatalf("err %v", err)
	}
}

// A spatial value as Debezium's Geometry (TestDebeziumOracleMariaDB): the
// WKB after MySQL's 4-byte SRID, and the SRID (null when 0).
func TestGeometryValue(t *testing.T) {
	c := &column{name: "g", dataType: "geometry", columnType: "geometry", nullable: true}
	mapColumn(c, &Config{DecimalHandling: "precise", TimePrecision: "adaptive_time_microseconds"})
	wkb := []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		srid []byte
		want any
	}{{[]byte{0, 0, 0, 0}, nil}, {[]byte{0xe6, 0x10, 0, 0}, int32(4326)}} {
		v, err := c.conv(append(tc.srid, wkb...))
		if err != nil {
			t.Fatal(err)
		}
		st := v.(*connectors.Struct)
		if got, _ := st.Get("srid"); got != tc.want {
			t.Errorf("srid %v, want %v", got, tc.want)
		}
		if got, _ := st.Get("wkb"); !slices.Equal(got.([]byte), wkb) {
			t.Errorf("wkb %v", got)
		}
	}
	if _, err := c.conv([]byte{1, 2}); err == nil {
		t.Error("a 2-byte value: no error")
	}
}

// A POINT as Debezium's Point: coordinates from the WKB, the WKB, the SRID.
func TestPointValue(t *testing.T) {
	c := &column{name: "p", dataType: "point", columnType: "point", nullable: true}
	mapColumn(c, &Config{DecimalHandling: "precise", TimePrecision: "adaptive_time_microseconds"})
	wkb := []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x66, 0xc0, 0, 0, 0, 0, 0, 0x80, 0x56, 0x40} // POINT(-180 90)
	v, err := c.conv(append([]byte{0xe6, 0x10, 0, 0}, wkb...))
	if err != nil {
		t.Fatal(err)
	}
	st := v.(*connectors.Struct)
	x, _ := st.Get("x")
	y, _ := st.Get("y")
	srid, _ := st.Get("srid")
	if x != -180.0 || y != 90.0 || srid != int32(4326) {
		t.Errorf("x %v y %v srid %v", x, y, srid)
	}
}
