package connectjson

import (
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// logical writes Decimal, Date, Time and Timestamp; done is false for other names.
func (e *encoder) logical(s *connectors.Schema, v any) (done bool, err error) {
	switch s.Name {
	case connectors.DecimalName:
		d, ok := v.(connectors.Decimal)
		if !ok {
			return true, connectors.DataError("Invalid type for Decimal, expected BigDecimal but was %s", javaClass(v))
		}
		if e.numeric {
			e.buf = AppendBigDecimal(e.buf, d)
			return true, nil
		}
		scale, err := connectors.DecimalScale(s)
		if err != nil {
			return true, err
		}
		if d.Scale != scale {
			return true, connectors.DataError("BigDecimal has mismatching scale value for given Decimal schema")
		}
		e.bytes(connectors.DecimalToBytes(d))
		return true, nil
	case connectors.DateName, connectors.TimeName, connectors.TimestampName:
		return true, e.temporal(s.Name, v)
	}
	return false, nil
}

func (e *encoder) temporal(name string, v any) error {
	t, ok := v.(time.Time)
	kind := name[len("org.apache.kafka.connect.data."):]
	if !ok {
		return connectors.DataError("Invalid type for %s, expected Date but was %s", kind, javaClass(v))
	}
	switch name {
	case connectors.DateName:
		days, err := connectors.DateToDays(t)
		if err != nil {
			return err
		}
		e.buf = strconv.AppendInt(e.buf, int64(days), 10)
	case connectors.TimeName:
		ms, err := connectors.TimeToMillis(t)
		if err != nil {
			return err
		}
		e.buf = strconv.AppendInt(e.buf, int64(ms), 10)
	default:
		e.buf = strconv.AppendInt(e.buf, t.UnixMilli(), 10)
	}
	return nil
}
