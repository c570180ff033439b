package timestampconverter

import (
	"fmt"
	"math"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

type kind int

const (
	kindInfer kind = iota
	kindString
	kindUnix
	kindDate
	kindTime
	kindTimestamp
)

var kinds = map[string]kind{"string": kindString, "unix": kindUnix, "Date": kindDate, "Time": kindTime, "Timestamp": kindTimestamp}

var (
	dateSchema         = connectors.DateSchema().MustBuild()
	optDateSchema      = connectors.DateSchema().Optional().MustBuild()
	timeSchema         = connectors.TimeSchema().MustBuild()
	optTimeSchema      = connectors.TimeSchema().Optional().MustBuild()
	timestampSchema    = connectors.TimestampSchema().MustBuild()
	optTimestampSchema = connectors.TimestampSchema().Optional().MustBuild()
)

func (k kind) schema(optional bool) *connectors.Schema {
	pick := func(req, opt *connectors.Schema) *connectors.Schema {
		if optional {
			return opt
		}
		return req
	}
	switch k {
	case kindString:
		return pick(connectors.StringSchema, connectors.OptionalStringSchema)
	case kindUnix:
		return pick(connectors.Int64Schema, connectors.OptionalInt64Schema)
	case kindDate:
		return pick(dateSchema, optDateSchema)
	case kindTime:
		return pick(timeSchema, optTimeSchema)
	}
	return pick(timestampSchema, optTimestampSchema)
}

// kindOfSchema is timestampTypeFromSchema.
func kindOfSchema(s *connectors.Schema) (kind, error) {
	switch {
	case s.Name == connectors.TimestampName:
		return kindTimestamp, nil
	case s.Name == connectors.DateName:
		return kindDate, nil
	case s.Name == connectors.TimeName:
		return kindTime, nil
	case s.Type == connectors.TypeString:
		return kindString, nil
	case s.Type == connectors.TypeInt64:
		return kindUnix, nil
	}
	return 0, &operand.Error{Exception: "ConnectException",
		Msg: fmt.Sprintf("Schema %s does not correspond to a known timestamp type format", schemaString(s))}
}

func schemaString(s *connectors.Schema) string {
	if s.Name != "" {
		return "Schema{" + s.Name + ":" + s.Type.String() + "}"
	}
	return "Schema{" + s.Type.String() + "}"
}

func inferKind(v any) (kind, error) {
	switch v.(type) {
	case time.Time:
		return kindTimestamp, nil
	case int64:
		return kindUnix, nil
	case string:
		return kindString, nil
	}
	return 0, operand.Data("TimestampConverter does not support class %s objects as timestamps", operand.JavaClass(v))
}

func (t *Transform) convert(v any, from kind) (any, error) {
	if v == nil {
		return nil, nil
	}
	if from == kindInfer {
		var err error
		if from, err = inferKind(v); err != nil {
			return nil, err
		}
	}
	raw, err := t.toRaw(v, from)
	if err != nil {
		return nil, err
	}
	return t.toType(raw), nil
}

func (t *Transform) toRaw(v any, from kind) (time.Time, error) {
	switch from {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return time.Time{}, operand.Data("Expected string timestamp to be a String, but found class %s", operand.JavaClass(v))
		}
		if t.format == nil {
			return time.Time{}, &operand.Error{Exception: "NullPointerException", Msg: `Cannot invoke "java.text.SimpleDateFormat.parse(String)" because "config.format" is null`}
		}
		ts, err := t.format.Parse(s)
		if err != nil {
			return time.Time{}, operand.Data("Could not parse timestamp: value (%s) does not match pattern (%s)", s, t.format.Pattern())
		}
		return ts, nil
	case kindUnix:
		n, ok := v.(int64)
		if !ok {
			return time.Time{}, operand.Data("Expected Unix timestamp to be a Long, but found class %s", operand.JavaClass(v))
		}
		return time.UnixMilli(t.toMillis(n)).UTC(), nil
	}
	ts, ok := v.(time.Time)
	if !ok {
		name := map[kind]string{kindDate: "Date", kindTime: "Time", kindTimestamp: "Timestamp"}[from]
		return time.Time{}, operand.Data("Expected %s to be a java.util.Date, but found class %s", name, operand.JavaClass(v))
	}
	return time.UnixMilli(ts.UnixMilli()).UTC(), nil
}

func (t *Transform) toMillis(n int64) int64 {
	switch t.precision {
	case "seconds":
		if n > math.MaxInt64/1000 {
			return math.MaxInt64
		} else if n < math.MinInt64/1000 {
			return math.MinInt64
		}
		return n * 1000
	case "microseconds":
		return n / 1000
	case "nanoseconds":
		return n / 1000000
	}
	return n
}

func (t *Transform) toType(ts time.Time) any {
	ms := ts.UnixMilli()
	switch t.target {
	case kindString:
		return t.format.Format(ts)
	case kindUnix:
		switch t.precision {
		case "seconds":
			return ms / 1000
		case "microseconds":
			return saturatingMul(ms, 1000)
		case "nanoseconds":
			return saturatingMul(ms, 1000000)
		}
		return ms
	case kindDate:
		y, m, d := ts.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case kindTime:
		return time.Date(1970, 1, 1, ts.Hour(), ts.Minute(), ts.Second(), ts.Nanosecond(), time.UTC)
	}
	return ts
}

func saturatingMul(a, b int64) int64 {
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	if a < math.MinInt64/b {
		return math.MinInt64
	}
	return a * b
}
