package json

import (
	"encoding/base64"
	"math/big"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// logical reads Decimal, Date, Time and Timestamp values.
func (d *decoder) logical(r *rschema) (any, error) {
	c := d.data[d.pos]
	isNum := c == '-' || (c >= '0' && c <= '9')
	switch r.logical {
	case logicalDecimal:
		return d.decimal(r, isNum)
	case logicalTimestamp:
		if !isNum {
			return nil, connectors.DataError("Invalid type for Timestamp, underlying representation should be integral but was %s", d.nodeType())
		}
		raw, integral, err := d.number()
		if err != nil {
			return nil, err
		}
		if !integral {
			return nil, connectors.DataError("Invalid type for Timestamp, underlying representation should be integral but was NUMBER")
		}
		return time.UnixMilli(parseInt64(raw)).UTC(), nil
	}
	kind := "Date"
	if r.logical == logicalTime {
		kind = "Time"
	}
	bad := connectors.DataError("Invalid type for %s, underlying representation should be integer but was %s", kind, d.nodeType())
	if !isNum {
		return nil, bad
	}
	raw, integral, err := d.number()
	if err != nil {
		return nil, err
	}
	n, perr := strconv.ParseInt(string(raw), 10, 32)
	if !integral || perr != nil {
		return nil, bad
	}
	if r.logical == logicalDate {
		return connectors.DaysToDate(int32(n)), nil
	}
	if n < 0 || n > 24*60*60*1000 {
		return nil, connectors.DataError("Time values must be between 0 and 86400000 (0 <= value <= 86400000)")
	}
	return connectors.MillisToTime(int32(n)), nil
}

// decimal reads a Decimal from a JSON number (keeping its written scale, as
// BigDecimal does) or from base64 text (with the schema's scale).
func (d *decoder) decimal(r *rschema, isNum bool) (any, error) {
	if isNum {
		raw, _, err := d.number()
		if err != nil {
			return nil, err
		}
		return parseBigDecimal(raw), nil
	}
	if d.data[d.pos] != '"' {
		return nil, connectors.DataError("Invalid type for Decimal, underlying representation should be numeric or bytes but was %s", d.nodeType())
	}
	s, err := d.str()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || r.scaleErr != nil {
		return nil, connectors.DataError("Invalid bytes for Decimal field")
	}
	return connectors.DecimalFromBytes(b, r.scale), nil
}

// parseBigDecimal reads a valid JSON number as new BigDecimal(text) does:
// unscaled digits and scale = fraction digits - exponent.
func parseBigDecimal(raw []byte) connectors.Decimal {
	mant, exp := raw, int64(0)
	for i, c := range raw {
		if c == 'e' || c == 'E' {
			mant = raw[:i]
			exp, _ = strconv.ParseInt(string(raw[i+1:]), 10, 64)
			break
		}
	}
	digits := make([]byte, 0, len(mant))
	scale := int64(0)
	seenDot := false
	for _, c := range mant {
		switch {
		case c == '.':
			seenDot = true
		case c == '-':
			digits = append(digits, c)
		default:
			digits = append(digits, c)
			if seenDot {
				scale++
			}
		}
	}
	u, _ := new(big.Int).SetString(string(digits), 10)
	return connectors.Decimal{Unscaled: u, Scale: int32(scale - exp)}
}
