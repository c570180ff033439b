package postgrescdc

import (
	"fmt"
	"math"
	"testing"
)

// Values of Debezium's PostgresConnector 3.6.1 for the same text (the
// oracle test compares them on a real server too).
func TestParseInterval(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"00:00:00", 0},
		{"1 year 2 mons -3 days +04:05:06.789", 36572706789000},
		{"-1 days -00:00:00.000001", -86400000001},
		{"29 days 23:59:59.999999", 2591999999999},
		{"-04:05:06.5", -14706500000},
		{"178000000 years", math.MaxInt64},
		{"-178000000 years", math.MinInt64},
		{"1 mon", 2629800000000},
	} {
		got, err := parseInterval(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%q: %v %v, want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"1 fortnight", "1", "12:00", "x years"} {
		if _, err := parseInterval(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// MONEY per decimal.handling.mode, as Debezium writes it (TestDebeziumOraclePostgres).
func TestMoney(t *testing.T) {
	for mode, want := range map[string]string{"precise": "-1234.50", "double": "-1234.5", "string": "-1234.50"} {
		c := &column{name: "m", oid: oidMoney, typmod: -1, nullable: true}
		mapColumn(c, &Config{DecimalHandling: mode, TimePrecision: "adaptive"})
		v, err := c.conv("-$1,234.50")
		if err != nil || fmt.Sprint(v) != want {
			t.Errorf("%s: %v %v, want %s", mode, v, err, want)
		}
	}
}
