package simpledateformat

import (
	"fmt"
	"strings"
	"time"
)

var months = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

type fields struct {
	year, month, day, hour, min, sec, ms int
	pm, hasAmPm, h12                     bool
	offset                               int
}

// Parse reads s as DateFormat.parse does in lenient mode with UTC as the zone.
func (f *Format) Parse(s string) (time.Time, error) {
	v := fields{year: 1970, month: 1, day: 1}
	pos := 0
	for i, tk := range f.tokens {
		if tk.letter == 0 {
			if !strings.HasPrefix(s[pos:], tk.lit) {
				return time.Time{}, fmt.Errorf("%w: %q", ErrParse, s)
			}
			pos += len(tk.lit)
			continue
		}
		abut := i+1 < len(f.tokens) && f.tokens[i+1].letter != 0 && numeric(f.tokens[i+1])
		n, err := v.read(tk, s, pos, abut)
		if err != nil {
			return time.Time{}, err
		}
		pos = n
	}
	h := v.hour
	if v.hasAmPm && v.h12 {
		h %= 12
		if v.pm {
			h += 12
		}
	}
	t := time.Date(v.year, time.Month(v.month), v.day, h, v.min, v.sec, v.ms*1e6, time.UTC)
	return t.Add(-time.Duration(v.offset) * time.Minute), nil
}

func numeric(tk token) bool {
	switch tk.letter {
	case 'M', 'L':
		return tk.count < 3
	case 'E', 'a', 'z', 'Z', 'X', 'G':
		return false
	}
	return true
}

func (v *fields) read(tk token, s string, pos int, abut bool) (int, error) {
	fail := fmt.Errorf("%w: %q", ErrParse, s)
	if !numeric(tk) {
		return v.readText(tk, s, pos, fail)
	}
	end := pos
	if end < len(s) && (s[end] == '-' || s[end] == '+') && (tk.letter == 'y' || tk.letter == 'Y') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' && (!abut || end-pos < tk.count) {
		end++
	}
	if end == pos {
		return 0, fail
	}
	var n int
	if _, err := fmt.Sscanf(s[pos:end], "%d", &n); err != nil {
		return 0, fail
	}
	switch tk.letter {
	case 'y', 'Y':
		if tk.count <= 2 && end-pos == 2 {
			n = twoDigitYear(n)
		}
		v.year = n
	case 'M', 'L':
		v.month = n
	case 'd':
		v.day = n
	case 'D':
		v.month, v.day = 1, n
	case 'H', 'k':
		v.hour = n
		if tk.letter == 'k' && n == 24 {
			v.hour = 0
		}
	case 'h', 'K':
		v.hour, v.h12 = n, true
	case 'm':
		v.min = n
	case 's':
		v.sec = n
	case 'S':
		v.ms = n
	}
	return end, nil
}

// twoDigitYear maps yy into the century window starting 80 years before now.
func twoDigitYear(n int) int {
	start := time.Now().UTC().Year() - 80
	y := start/100*100 + n
	if y < start {
		y += 100
	}
	return y
}

func (v *fields) readText(tk token, s string, pos int, fail error) (int, error) {
	rest := s[pos:]
	switch tk.letter {
	case 'M', 'L':
		for i, m := range months {
			for _, name := range []string{m, m[:3]} {
				if len(rest) >= len(name) && strings.EqualFold(rest[:len(name)], name) {
					v.month = i + 1
					return pos + len(name), nil
				}
			}
		}
	case 'E':
		for _, d := range weekdays {
			for _, name := range []string{d, d[:3]} {
				if len(rest) >= len(name) && strings.EqualFold(rest[:len(name)], name) {
					return pos + len(name), nil
				}
			}
		}
	case 'a':
		if len(rest) >= 2 && (strings.EqualFold(rest[:2], "AM") || strings.EqualFold(rest[:2], "PM")) {
			v.hasAmPm, v.pm = true, strings.EqualFold(rest[:2], "PM")
			return pos + 2, nil
		}
	case 'G':
		if strings.HasPrefix(rest, "AD") {
			return pos + 2, nil
		}
	case 'z', 'Z', 'X':
		return v.readZone(rest, pos, fail)
	}
	return 0, fail
}

func (v *fields) readZone(rest string, pos int, fail error) (int, error) {
	for _, z := range []string{"Coordinated Universal Time", "UTC", "GMT", "Z"} {
		if strings.HasPrefix(rest, z) {
			return pos + len(z), nil
		}
	}
	if len(rest) >= 5 && (rest[0] == '+' || rest[0] == '-') {
		colon := len(rest) >= 6 && rest[3] == ':'
		digits := rest[1:5]
		if colon {
			digits = rest[1:3] + rest[4:6]
		}
		var hh, mm int
		if _, err := fmt.Sscanf(digits, "%02d%02d", &hh, &mm); err == nil {
			v.offset = hh*60 + mm
			if rest[0] == '-' {
				v.offset = -v.offset
			}
			if colon {
				return pos + 6, nil
			}
			return pos + 5, nil
		}
	}
	return 0, fail
}
