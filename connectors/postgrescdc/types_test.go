package postgrescdc

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/debezium"
)

// Debezium's mapping of each PostgreSQL type (default decimal.handling.mode
// precise, time.precision.mode adaptive) and of its text value.
func TestTypeMapping(t *testing.T) {
	numeric := func(p, s int32) int32 { return p<<16 | s + 4 }
	tests := []struct {
		oid      uint32
		typmod   int32
		text     string
		wantType connectors.Type
		wantName string
		want     string
	}{
		{oidBool, -1, "t", connectors.TypeBoolean, "", "true"},
		{oidInt2, -1, "-3", connectors.TypeInt16, "", "-3"},
		{oidInt4, -1, "70000", connectors.TypeInt32, "", "70000"},
		{oidInt8, -1, "9000000000", connectors.TypeInt64, "", "9000000000"},
		{oidFloat4, -1, "1.5", connectors.TypeFloat32, "", "1.5"},
		{oidFloat8, -1, "2.25", connectors.TypeFloat64, "", "2.25"},
		{oidNumeric, numeric(10, 2), "123.45", connectors.TypeBytes, connectors.DecimalName, "123.45"},
		{oidNumeric, -1, "1.005", connectors.TypeStruct, nameVarDecimal, "Struct{scale=3,value=[3 237]}"},
		{oidVarchar, 259, "hi", connectors.TypeString, "", "hi"},
		{oidUUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", connectors.TypeString, nameUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{oidJSONB, -1, `{"a": 1}`, connectors.TypeString, debezium.NameJSON, `{"a": 1}`},
		{oidBytea, -1, `\x0102ff`, connectors.TypeBytes, "", "[1 2 255]"},
		{oidDate, -1, "2024-03-15", connectors.TypeInt32, debezium.NameDate, "19797"},
		{oidTime, -1, "13:45:30.5", connectors.TypeInt64, debezium.NameMicroTime, "49530500000"},
		{oidTime, 3, "13:45:30.5", connectors.TypeInt32, debezium.NameTime, "49530500"},
		{oidTimestamp, -1, "2024-03-15 13:45:30.123456", connectors.TypeInt64, debezium.NameMicroTimestamp, "1710510330123456"},
		{oidTimestamp, 3, "2024-03-15 13:45:30.123", connectors.TypeInt64, debezium.NameTimestamp, "1710510330123"},
		{oidTimestamptz, -1, "2024-03-15 13:45:30.1+02", connectors.TypeString, debezium.NameZonedTimestamp, "2024-03-15T11:45:30.100000Z"},
		{oidTimestamptz, -1, "2024-03-15 13:45:30+00", connectors.TypeString, debezium.NameZonedTimestamp, "2024-03-15T13:45:30.000000Z"},
	}
	cfg := &Config{DecimalHandling: "precise", TimePrecision: "adaptive"}
	for _, tt := range tests {
		c := &column{name: "c", oid: tt.oid, typmod: tt.typmod, nullable: true}
		mapColumn(c, cfg)
		if c.schema == nil {
			t.Fatalf("oid %d: unsupported", tt.oid)
		}
		if c.schema.Type != tt.wantType || c.schema.Name != tt.wantName || !c.schema.Optional {
			t.Errorf("oid %d: schema %s %q optional=%v, want %s %q optional", tt.oid, c.schema.Type, c.schema.Name, c.schema.Optional, tt.wantType, tt.wantName)
		}
		v, err := c.conv(tt.text)
		if err != nil {
			t.Fatalf("oid %d %q: %v", tt.oid, tt.text, err)
		}
		if got := fmt.Sprint(v); got != tt.want {
			t.Errorf("oid %d %q = %s, want %s", tt.oid, tt.text, got, tt.want)
		}
	}
	c := &column{oid: 600 /* point */}
	if mapColumn(c, cfg); c.schema != nil {
		t.Error("point must be unsupported")
	}
}

func TestConfigCheck(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"database.hostname": "h", "database.user": "u", "database.dbname": "d", "topic.prefix": "p"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		props map[string]string
		key   string
	}{
		{base(), ""},
		{base("plugin.name", "decoderbufs"), "plugin.name"},
		{base("slot.name", "Bad-Name"), "slot.name"},
		{base("slot.drop.on.stop", "true"), "slot.drop.on.stop"},
		{base("snapshot.mode", "always"), "snapshot.mode"},
		{base("table.include.list", "a(", "plugin.name", "pgoutput"), "table.include.list"},
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
	cfg, _ := parseConfig(base("table.include.list", "public\\.orders,inv\\..*"))
	for name, want := range map[string]bool{"public.orders": true, "public.orders2": false, "inv.x": true, "other.orders": false} {
		s, tb, _ := cutDot(name)
		if got := cfg.captured(s, tb); got != want {
			t.Errorf("captured(%s) = %v, want %v", name, got, want)
		}
	}
}

func cutDot(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Where the next invocation starts, by committed offset.
func TestRestore(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		off      map[string]any
		snapshot bool
		stream   bool
		start    uint64
		skip     uint64
	}{
		{"no offset, initial", SnapshotInitial, nil, true, false, 0, 0},
		{"no offset, no_data", SnapshotNoData, nil, false, true, 0, 0},
		{"interrupted snapshot", SnapshotInitial, map[string]any{"snapshot": true, "last_snapshot_record": false, "lsn": float64(100)}, true, false, 0, 0},
		{"finished snapshot", SnapshotInitial, map[string]any{"snapshot": true, "last_snapshot_record": true, "lsn": float64(100)}, false, true, 100, 0},
		{"finished snapshot, initial_only", SnapshotInitialOnly, map[string]any{"snapshot": true, "last_snapshot_record": true, "lsn": float64(100)}, false, false, 100, 0},
		{"streaming", SnapshotInitial, map[string]any{"lsn": float64(150), "lsn_commit": float64(200), "txId": float64(7)}, false, true, 200, 150},
	}
	for _, tt := range tests {
		tk := &Task{cfg: Config{SnapshotMode: tt.mode}}
		if err := tk.restore(tt.off, 50); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tk.snap.active != tt.snapshot || tk.streaming != tt.stream || tk.stream.start != tt.start || tk.stream.skipLSN != tt.skip {
			t.Errorf("%s: snapshot=%v stream=%v start=%d skip=%d, want %v %v %d %d", tt.name,
				tk.snap.active, tk.streaming, tk.stream.start, tk.stream.skipLSN, tt.snapshot, tt.stream, tt.start, tt.skip)
		}
	}
	if err := (&Task{cfg: Config{SnapshotMode: SnapshotInitial}}).restore(map[string]any{"lsn": "x"}, 0); err == nil {
		t.Error("a non-numeric lsn must be an error")
	}
}

// An enum column is io.debezium.data.Enum with its labels in order, as
// Debezium's PostgresConnector writes it (TestDebeziumOraclePostgres).
func TestEnumColumn(t *testing.T) {
	c := &column{name: "mood", oid: 98765, typmod: -1, nullable: true, enumLabels: []string{"sad", "ok", "happy, very"}}
	mapColumn(c, &Config{DecimalHandling: "precise", TimePrecision: "adaptive"})
	if c.schema == nil || c.schema.Name != "io.debezium.data.Enum" || c.schema.Parameters["allowed"] != "sad,ok,happy, very" || !c.schema.Optional {
		t.Fatalf("schema %+v", c.schema)
	}
	if v, err := c.conv("ok"); err != nil || v != "ok" {
		t.Fatalf("value %v %v", v, err)
	}
	unknown := &column{name: "x", oid: 98766, typmod: -1}
	if mapColumn(unknown, &Config{}); unknown.schema != nil {
		t.Fatalf("a type that is neither known nor an enum is left out, got %+v", unknown.schema)
	}
}

// timestamptz text in UTC is rewritten as time.Parse and Format would
// write it; other forms still go through them.
func TestPlainUTCTimestamp(t *testing.T) {
	for _, prec := range []int{0, 1, 3, 6} {
		slow := func(s string) string {
			tm, err := time.Parse("2006-01-02 15:04:05.999999Z07", s)
			if err != nil {
				t.Fatal(err)
			}
			layout := "2006-01-02T15:04:05"
			if prec > 0 {
				layout += "." + strings.Repeat("0", prec)
			}
			return tm.UTC().Format(layout + "Z")
		}
		for _, s := range []string{"2024-03-15 12:34:56+00", "2024-03-15 12:34:56.5+00", "2024-03-15 12:34:56.123+00",
			"2024-03-15 12:34:56.123456+00", "0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00",
			"2024-03-15 12:34:56+05:30", "2024-03-15 12:34:56-08", "2024-03-15 12:34:56.1234567+00"} {
			got, ok := plainUTCTimestamp(s, prec)
			parser := zonedTimestampParser(prec)
			v, err := parser(s)
			if !ok {
				continue // left to time.Parse
			}
			if err != nil || got != slow(s) || v != got {
				t.Errorf("plainUTCTimestamp(%q, %d) = %q; time.Parse/Format %q (parser %v, %v)", s, prec, got, slow(s), v, err)
			}
		}
		for _, s := range []string{"2024-03-15 12:34:56+05:30", "2024-03-15 12:34:56-08", "12024-03-15 12:34:56+00",
			"2024-03-15 12:34:56+00 BC", "2024-03-15 12:34:56.1234567+00"} {
			if _, ok := plainUTCTimestamp(s, prec); ok {
				t.Errorf("plainUTCTimestamp(%q) took a form it must leave to time.Parse", s)
			}
		}
	}
}
