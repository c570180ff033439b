package jdbc

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
)

func TestNumericMapping(t *testing.T) {
	tests := []struct {
		precision, scale int64
		mapping          string
		want             kind
	}{
		{10, 2, NumericNone, kDecimal},
		{5, 0, NumericNone, kDecimal},
		{2, 0, NumericPrecisionOnly, kInt8},
		{4, 0, NumericPrecisionOnly, kInt16},
		{9, 0, NumericPrecisionOnly, kInt32},
		{18, 0, NumericPrecisionOnly, kInt64},
		{19, 0, NumericPrecisionOnly, kDecimal},
		{10, 2, NumericPrecisionOnly, kDecimal},
		{10, 2, NumericBestFit, kFloat64},
		{20, 2, NumericBestFit, kDecimal},
		{20, 2, NumericBestFitEagerDb, kFloat64},
		{5, 0, NumericBestFit, kInt32},
		{-1, -1, NumericBestFit, kDecimal},
	}
	for _, tt := range tests {
		c := &column{precision: tt.precision, scale: tt.scale}
		if got := numericKind(c, tt.mapping); got != tt.want {
			t.Errorf("numeric(%d,%d) %s = %d, want %d", tt.precision, tt.scale, tt.mapping, got, tt.want)
		}
	}
}

func TestMapColumn(t *testing.T) {
	tests := []struct {
		d                 *dialect.Dialect
		typeName, colType string
		length            int64
		want              kind
	}{
		{dialect.PostgreSQL, "bool", "", -1, kBool},
		{dialect.PostgreSQL, "bit", "", 1, kBool},
		{dialect.PostgreSQL, "int2", "", -1, kInt16},
		{dialect.PostgreSQL, "timestamptz", "", -1, kTimestamp},
		{dialect.PostgreSQL, "jsonb", "", -1, kString},
		{dialect.PostgreSQL, "point", "", -1, kUnsupported},
		{dialect.MySQL, "tinyint", "tinyint(1)", -1, kInt8},
		{dialect.MySQL, "tinyint", "tinyint(3) unsigned", -1, kInt16},
		{dialect.MySQL, "int", "int(10) unsigned", -1, kInt64},
		{dialect.MySQL, "decimal", "decimal(10,2)", -1, kDecimal},
		{dialect.MySQL, "year", "year(4)", -1, kDate},
		{dialect.MySQL, "geometry", "geometry", -1, kUnsupported},
	}
	for _, tt := range tests {
		c := &column{typeName: tt.typeName, colType: tt.colType, length: tt.length, precision: 10, scale: 2, nullable: true}
		mapColumn(c, tt.d, NumericNone)
		if c.kind != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.d.Name, tt.typeName, c.kind, tt.want)
		}
		if (c.schema == nil) != (tt.want == kUnsupported) || c.schema != nil && !c.schema.Optional {
			t.Errorf("%s %s: schema %+v", tt.d.Name, tt.typeName, c.schema)
		}
	}
}

func TestConvert(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		c    column
		in   any
		loc  *time.Location
		want string
	}{
		{column{kind: kInt8}, "\x01", time.UTC, "1"},
		{column{kind: kInt32}, int64(-7), time.UTC, "-7"},
		{column{kind: kDecimal, decScale: 3}, "1.5", time.UTC, "1.500"},
		{column{kind: kDecimal, decScale: 1}, "1.25", time.UTC, "1.3"},
		{column{kind: kBool}, "1", time.UTC, "true"},
		{column{kind: kTime}, "13:45:30.5", time.UTC, "1970-01-01 13:45:30.5 +0000 UTC"},
		{column{kind: kTimestamp}, time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC), berlin, "2024-03-15 11:00:00 +0000 UTC"},
		{column{kind: kTimestamp, zoned: true}, time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC), berlin, "2024-03-15 12:00:00 +0000 UTC"},
		{column{kind: kDate}, int64(2024), time.UTC, "2024-01-01 00:00:00 +0000 UTC"},
	}
	for _, tt := range tests {
		got, err := convert(&tt.c, tt.in, tt.loc)
		if err != nil {
			t.Fatalf("convert(%v): %v", tt.in, err)
		}
		if s := fmtValue(got); s != tt.want {
			t.Errorf("convert(%v) = %s, want %s", tt.in, s, tt.want)
		}
	}
}

func fmtValue(v any) string {
	if d, ok := v.(connectors.Decimal); ok {
		return d.String()
	}
	if t, ok := v.(time.Time); ok {
		return t.String()
	}
	return fmt.Sprint(v)
}

func TestConfigCheck(t *testing.T) {
	base := map[string]string{"connection.url": "jdbc:postgresql://h/db", "topic.prefix": "p-", "mode": "bulk"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		props map[string]string
		key   string // the key the error names; "" = valid
	}{
		{with(), ""},
		{with("connection.url", "jdbc:oracle:thin:@h:1521:x"), "connection.url"},
		{with("mode", "timestamp"), "timestamp.column.name"},
		{with("table.whitelist", "a", "table.blacklist", "b"), "table.whitelist"},
		{with("db.timezone", "Mars/Olympus"), "db.timezone"},
		{with("mode", "incrementing", "query", "SELECT 1"), "incrementing.column.name"},
		{with("mode", "sometimes"), "mode"},
	}
	for _, tt := range tests {
		_, err := parseConfig(tt.props)
		var ces connectors.ConfigErrors
		switch {
		case tt.key == "" && err != nil:
			t.Errorf("%v: %v", tt.props, err)
		case tt.key != "" && (!errors.As(err, &ces) || ces[0].Key != tt.key):
			t.Errorf("%v: error %v, want one naming %s", tt.props, err, tt.key)
		}
	}
}
