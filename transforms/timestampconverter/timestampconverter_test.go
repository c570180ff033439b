package timestampconverter

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestConvertSchemaless(t *testing.T) {
	ms := int64(1700000000123) // 2023-11-14T22:13:20.123Z
	tests := []struct {
		props map[string]string
		in    any
		want  any
		err   bool
	}{
		{map[string]string{"target.type": "string", "format": "yyyy-MM-dd HH:mm:ss.SSS"}, ms, "2023-11-14 22:13:20.123", false},
		{map[string]string{"target.type": "unix", "unix.precision": "seconds"}, time.UnixMilli(ms), ms / 1000, false},
		{map[string]string{"target.type": "unix", "unix.precision": "microseconds"}, ms, ms / 1000 * 1000, false}, // the input is read in microseconds too,
		{map[string]string{"target.type": "Date"}, ms, time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC), false},
		{map[string]string{"target.type": "Time"}, ms, time.UnixMilli(80000123).UTC(), false},
		{map[string]string{"target.type": "Timestamp", "format": "yyyy-MM-dd"}, "2023-11-14", time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC), false},
		{map[string]string{"target.type": "Timestamp", "format": "yyyy-MM-dd"}, "14/11/2023", nil, true},
		{map[string]string{"target.type": "Timestamp"}, int32(1), nil, true},
		{map[string]string{"target.type": "Timestamp"}, nil, nil, false},
	}
	for _, tt := range tests {
		tr, err := NewValue(tt.props)
		if err != nil {
			t.Fatal(err)
		}
		out, err := tr.Apply(&connectors.Record{Value: tt.in})
		if (err != nil) != tt.err {
			t.Errorf("%v on %v: err %v", tt.props, tt.in, err)
			continue
		}
		if err == nil && !connectors.ValuesEqual(out.Value, tt.want) {
			t.Errorf("%v on %v = %v (%T), want %v", tt.props, tt.in, out.Value, out.Value, tt.want)
		}
	}
	for _, bad := range []map[string]string{{"target.type": "date"}, {"target.type": "string"}, {"target.type": "unix", "unix.precision": "minutes"}} {
		if _, err := NewValue(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
