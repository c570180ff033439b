package postgrescdc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Debezium's MicroDuration: an interval in microseconds, a month counted as
// the average 30.4375 days (interval.handling.mode=numeric).
const (
	nameMicroDuration = "io.debezium.time.MicroDuration"
	daysPerMonthAvg   = 30.4375
)

// parseInterval reads interval text (IntervalStyle postgres: "1 year 2 mons
// -3 days +04:05:06.789") and computes its MicroDuration as Debezium does,
// in floating point, truncated (and saturated) to an int64 as Java's (long).
func parseInterval(s string) (any, error) {
	var years, months, days, hours, minutes int64
	var seconds float64
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		if strings.Contains(f[i], ":") {
			h, m, sec, err := parseClock(f[i])
			if err != nil {
				return nil, fmt.Errorf("interval %q: %w", s, err)
			}
			hours, minutes, seconds = h, m, sec
			continue
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil || i+1 >= len(f) {
			return nil, fmt.Errorf("interval %q: unexpected %q", s, f[i])
		}
		i++
		switch unit := strings.TrimSuffix(f[i], "s"); unit {
		case "year":
			years = n
		case "mon":
			months = n
		case "day":
			days = n
		default:
			return nil, fmt.Errorf("interval %q: unknown unit %q", s, f[i])
		}
	}
	d := float64(years*12+months)*daysPerMonthAvg + float64(days)
	total := ((d*24+float64(hours))*60+float64(minutes))*60 + seconds
	return connectors.JavaLong(total * 1e6), nil
}

// parseClock reads "[+-]HH:MM:SS[.ffffff]"; the sign applies to every part.
func parseClock(s string) (h, m int64, sec float64, err error) {
	neg := strings.HasPrefix(s, "-")
	parts := strings.Split(strings.TrimLeft(s, "+-"), ":")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("time part %q", s)
	}
	if h, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
		return
	}
	if m, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return
	}
	whole, frac, _ := strings.Cut(parts[2], ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return
	}
	var micros int64
	if frac != "" {
		if micros, err = strconv.ParseInt((frac + "000000")[:6], 10, 64); err != nil {
			return
		}
	}
	sec = float64(w) + float64(micros)/1e6 // as pgjdbc's PGInterval.getSeconds
	if neg {
		h, m, sec = -h, -m, -sec
	}
	return h, m, sec, nil
}
