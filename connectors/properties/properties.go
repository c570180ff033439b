// Package properties reads Java .properties files as java.util.Properties
// does: `=`, `:` or whitespace between key and value, `#` and `!` comments,
// backslash continuation lines, and the escapes \t \n \r \f \uXXXX and
// backslash-anything. Each entry keeps the line it starts on, so errors about
// a value can name the file and the line.
package properties

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxSize bounds a properties file: worker and connector files are small.
const MaxSize = 1 << 20

// Entry is one key and value and the line (1-based) where it starts.
type Entry struct {
	Key, Value string
	Line       int
}

// File is a parsed .properties file; Entries are in file order and a key
// given twice appears twice (the later one wins in Map).
type File struct {
	Path    string
	Entries []Entry
}

// Read parses the properties file at path.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("properties file: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads properties from r; path names the source in errors. It
// refuses input larger than MaxSize and malformed \u escapes, naming the line.
func Parse(r io.Reader, path string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: a properties file this big is not a configuration", path, MaxSize)
	}
	out := &File{Path: path}
	lines := naturalLines(data)
	for i := 0; i < len(lines); i++ {
		start := i
		line := trimLeft(lines[i])
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for continues(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + trimLeft(lines[i])
		}
		if continues(line) { // a last line ending in a backslash: the backslash is dropped
			line = line[:len(line)-1]
		}
		key, value, err := split(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, start+1, err)
		}
		out.Entries = append(out.Entries, Entry{Key: key, Value: value, Line: start + 1})
	}
	return out, nil
}

// Map returns the properties as a map; for a key given twice the later wins.
func (f *File) Map() map[string]string {
	m := make(map[string]string, len(f.Entries))
	for _, e := range f.Entries {
		m[e.Key] = e.Value
	}
	return m
}

// Line returns the line of the entry that sets key (the last one), 0 if none.
func (f *File) Line(key string) int {
	for i := len(f.Entries) - 1; i >= 0; i-- {
		if f.Entries[i].Key == key {
			return f.Entries[i].Line
		}
	}
	return 0
}

// naturalLines splits on \n, \r\n or \r, as Java's LineReader does.
func naturalLines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxSize+1)
	sc.Split(func(b []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			if b[i] == '\r' {
				if i+1 < len(b) && b[i+1] == '\n' {
					return i + 2, b[:i], nil
				}
				if i+1 == len(b) && !atEOF {
					return 0, nil, nil // need more to know whether \n follows
				}
			}
			return i + 1, b[:i], nil
		}
		if atEOF && len(b) > 0 {
			return len(b), b, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimLeft(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

// continues reports whether a line ends in an odd number of backslashes.
func continues(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// split separates the key (ended by an unescaped =, : or whitespace) from the
// value, and unescapes both.
func split(line string) (string, string, error) {
	end := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' || isSpace(c) {
			end = i
			break
		}
	}
	rest := trimLeft(line[end:])
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = trimLeft(rest[1:])
	}
	key, err := unescape(line[:end])
	if err != nil {
		return "", "", err
	}
	value, err := unescape(rest)
	if err != nil {
		return "", "", fmt.Errorf("key %s: %w", key, err)
	}
	return key, value, nil
}

// errUnicode is Java's "Malformed \uxxxx encoding".
var errUnicode = errors.New(`malformed \uxxxx escape: want four hex digits after \u`)

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", errUnicode
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", errUnicode
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
