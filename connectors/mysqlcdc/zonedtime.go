package mysqlcdc

import (
	"strings"
	"time"
)

// zonedTime is t in UTC as Debezium's ZonedTimestamp text with fsp
// fraction digits ("2006-01-02T15:04:05[.000000]Z", the fraction truncated
// as time.Format truncates it), written digit by digit: one allocation
// instead of Format's and the "Z" concatenation's. Years outside 0–9999
// go through time.Format.
func zonedTime(t time.Time, fsp int) string {
	u := t.UTC()
	year, month, day := u.Date()
	if year < 0 || year > 9999 || fsp < 0 || fsp > 9 {
		layout := "2006-01-02T15:04:05"
		if fsp > 0 {
			layout += "." + strings.Repeat("0", fsp)
		}
		return u.Format(layout) + "Z"
	}
	hour, minute, sec := u.Clock()
	var b [32]byte
	two := func(at, v int) { b[at], b[at+1] = byte('0'+v/10), byte('0'+v%10) }
	two(0, year/100)
	two(2, year%100)
	b[4], b[7], b[10], b[13], b[16] = '-', '-', 'T', ':', ':'
	two(5, int(month))
	two(8, day)
	two(11, hour)
	two(14, minute)
	two(17, sec)
	n := 19
	if fsp > 0 {
		b[19] = '.'
		frac := u.Nanosecond()
		for i := fsp; i < 9; i++ {
			frac /= 10
		}
		for i := fsp; i > 0; i-- {
			b[19+i] = byte('0' + frac%10)
			frac /= 10
		}
		n += 1 + fsp
	}
	b[n] = 'Z'
	return string(b[:n+1])
}
