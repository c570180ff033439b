package storage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// jodaToken is one piece of a Joda-Time DateTimeFormat pattern: literal text,
// or a pattern letter repeated count times.
type jodaToken struct {
	literal string
	letter  byte
	count   int
}

// parseJoda splits a Joda pattern such as 'year'=YYYY/'month'=MM into tokens.
// Quoted text is literal (” is a quote); ASCII letters are pattern letters;
// everything else is literal.
func parseJoda(pattern string) ([]jodaToken, error) {
	var toks []jodaToken
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			lit, n, err := quoted(pattern[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, jodaToken{literal: lit})
			i += n
		case isLetter(c):
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			if !strings.ContainsRune("yYMdHhmsSDEa", rune(c)) {
				return nil, fmt.Errorf("pattern letter %q is not supported (use y Y M d H h m s S D E a)", c)
			}
			toks = append(toks, jodaToken{letter: c, count: j - i})
			i = j
		default:
			toks = append(toks, jodaToken{literal: string(c)})
			i++
		}
	}
	return toks, nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// quoted reads a quoted literal at the start of s and returns its text and length.
func quoted(s string) (string, int, error) {
	if strings.HasPrefix(s, "''") {
		return "'", 2, nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, fmt.Errorf("unterminated quote in %q", s)
}

// formatJoda prints t with the tokens (English names for months and days).
func formatJoda(toks []jodaToken, t time.Time) string {
	var b strings.Builder
	for _, tk := range toks {
		if tk.letter == 0 {
			b.WriteString(tk.literal)
			continue
		}
		b.WriteString(jodaField(tk, t))
	}
	return b.String()
}

func jodaField(tk jodaToken, t time.Time) string {
	switch tk.letter {
	case 'y', 'Y':
		if tk.count == 2 {
			return pad(t.Year()%100, 2)
		}
		return pad(t.Year(), tk.count)
	case 'M':
		switch {
		case tk.count >= 4:
			return t.Month().String()
		case tk.count == 3:
			return t.Month().String()[:3]
		}
		return pad(int(t.Month()), tk.count)
	case 'd':
		return pad(t.Day(), tk.count)
	case 'H':
		return pad(t.Hour(), tk.count)
	case 'h':
		return pad((t.Hour()+11)%12+1, tk.count)
	case 'm':
		return pad(t.Minute(), tk.count)
	case 's':
		return pad(t.Second(), tk.count)
	case 'S':
		ms := pad(t.Nanosecond()/1e6, 3)
		if tk.count <= 3 {
			return ms[:tk.count]
		}
		return ms + strings.Repeat("0", tk.count-3)
	case 'D':
		return pad(t.YearDay(), tk.count)
	case 'E':
		if tk.count >= 4 {
			return t.Weekday().String()
		}
		return t.Weekday().String()[:3]
	case 'a':
		if t.Hour() < 12 {
			return "AM"
		}
		return "PM"
	}
	return ""
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}
