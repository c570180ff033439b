package mysqlcdc

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestZonedTime compares zonedTime with the time.Format it replaces, for
// every fraction width, in and out of the years it writes itself.
func TestZonedTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	times := []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 5, 21, 45, 1, 123456789, time.UTC),
		time.Date(2038, 1, 19, 3, 14, 7, 999999999, tokyo),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 12, 0, 0, 5000, time.UTC),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).In(tokyo))
	}
	for _, tm := range times {
		for fsp := 0; fsp <= 6; fsp++ {
			layout := "2006-01-02T15:04:05"
			if fsp > 0 {
				layout += "." + strings.Repeat("0", fsp)
			}
			if got, want := zonedTime(tm, fsp), tm.UTC().Format(layout)+"Z"; got != want {
				t.Fatalf("zonedTime(%v, %d) = %q, want %q", tm, fsp, got, want)
			}
		}
	}
}
