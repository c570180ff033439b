// Package simpledateformat formats and parses times with java.text.SimpleDateFormat
// patterns in UTC, as TimestampConverter and TimestampRouter use them.
//
// Supported letters: G y Y M L w W D d F E u a H k K h m s S z Z X and
// quoted literals. Parsing is lenient like Java's (out-of-range fields roll
// over) and, like DateFormat.parse, ignores text after the pattern.
package simpledateformat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrPattern is wrapped when a pattern has an illegal letter or an unclosed quote.
var ErrPattern = errors.New("invalid SimpleDateFormat pattern")

// ErrParse is returned when text does not match the pattern.
var ErrParse = errors.New("unparseable date")

type token struct {
	letter byte // 0 for a literal
	count  int
	lit    string
}

// Format is a compiled pattern.
type Format struct {
	pattern string
	tokens  []token
}

const letters = "GyYMLwWDdFEuaHkKhmsSzZX"

// Compile parses a SimpleDateFormat pattern.
func Compile(pattern string) (*Format, error) {
	f := &Format{pattern: pattern}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			lit, n, err := quoted(pattern, i)
			if err != nil {
				return nil, err
			}
			f.tokens = append(f.tokens, token{lit: lit})
			i = n
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if !strings.ContainsRune(letters, rune(c)) {
				return nil, fmt.Errorf("%w: Illegal pattern character '%c'", ErrPattern, c)
			}
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			f.tokens = append(f.tokens, token{letter: c, count: j - i})
			i = j
		default:
			f.tokens = append(f.tokens, token{lit: string(c)})
			i++
		}
	}
	return f, nil
}

func quoted(p string, i int) (string, int, error) {
	if i+1 < len(p) && p[i+1] == '\'' {
		return "'", i + 2, nil
	}
	var b strings.Builder
	for j := i + 1; j < len(p); j++ {
		if p[j] == '\'' {
			if j+1 < len(p) && p[j+1] == '\'' {
				b.WriteByte('\'')
				j++
				continue
			}
			return b.String(), j + 1, nil
		}
		b.WriteByte(p[j])
	}
	return "", 0, fmt.Errorf("%w: Unterminated quote", ErrPattern)
}

// Pattern returns the source pattern.
func (f *Format) Pattern() string { return f.pattern }

// Format renders t (in UTC).
func (f *Format) Format(t time.Time) string {
	t = t.UTC()
	var b []byte
	for _, tk := range f.tokens {
		if tk.letter == 0 {
			b = append(b, tk.lit...)
			continue
		}
		b = appendField(b, tk, t)
	}
	return string(b)
}

func pad(b []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func appendField(b []byte, tk token, t time.Time) []byte {
	n := tk.count
	switch tk.letter {
	case 'G':
		return append(b, "AD"...)
	case 'y', 'Y':
		y := t.Year()
		if tk.letter == 'Y' {
			y, _ = t.ISOWeek()
		}
		if n == 2 {
			return pad(b, int64(y%100), 2)
		}
		return pad(b, int64(y), n)
	case 'M', 'L':
		switch {
		case n >= 4:
			return append(b, t.Month().String()...)
		case n == 3:
			return append(b, t.Month().String()[:3]...)
		}
		return pad(b, int64(t.Month()), n)
	case 'w':
		_, w := t.ISOWeek()
		return pad(b, int64(w), n)
	case 'W':
		return pad(b, int64((t.Day()+int(t.AddDate(0, 0, 1-t.Day()).Weekday())-1)/7+1), n)
	case 'D':
		return pad(b, int64(t.YearDay()), n)
	case 'd':
		return pad(b, int64(t.Day()), n)
	case 'F':
		return pad(b, int64((t.Day()-1)/7+1), n)
	case 'E':
		if n >= 4 {
			return append(b, t.Weekday().String()...)
		}
		return append(b, t.Weekday().String()[:3]...)
	case 'u':
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return pad(b, wd, n)
	case 'a':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'H':
		return pad(b, int64(t.Hour()), n)
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return pad(b, int64(h), n)
	case 'K':
		return pad(b, int64(t.Hour()%12), n)
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(b, int64(h), n)
	case 'm':
		return pad(b, int64(t.Minute()), n)
	case 's':
		return pad(b, int64(t.Second()), n)
	case 'S':
		return pad(b, int64(t.Nanosecond()/1e6), n)
	case 'z':
		if n >= 4 {
			return append(b, "Coordinated Universal Time"...)
		}
		return append(b, "UTC"...)
	case 'Z':
		return append(b, "+0000"...)
	case 'X':
		return append(b, 'Z')
	}
	return b
}
