package hdfssink

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
)

// committedName matches Confluent's committed file names,
// <topic>+<partition>+<startOffset>+<endOffset>.<ext> (HdfsSinkConnector's
// FileUtils committed-file pattern).
var committedName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z0-9._\-]+)\+(\d+)\+(\d+)\+(\d+)(\.\w+)*$`) })

// span is the offsets of one committed file, both ends included.
type span struct{ start, end int64 }

// dir is the directory of an encoded partition:
// <topics.dir>/<topic>/<encoded partition>.
func (t *Task) dir(tp connectors.TopicPartition, encoded string) string {
	c := t.cfg
	d := tp.Topic + c.DirDelim + encoded
	if c.TopicsDir != "" {
		d = c.TopicsDir + c.DirDelim + d
	}
	return absolute(d)
}

// tmpName is where a file of an encoded partition is written before its
// commit: <topics.dir>/+tmp/<topic>/<encoded partition>/<random>_tmp<ext>,
// as Confluent's connector writes them.
func (t *Task) tmpName(tp connectors.TopicPartition, encoded string) string {
	c := t.cfg
	var b [16]byte
	_, _ = rand.Read(b[:])
	d := "+tmp" + c.DirDelim + tp.Topic + c.DirDelim + encoded
	if c.TopicsDir != "" {
		d = c.TopicsDir + c.DirDelim + d
	}
	return absolute(d + c.DirDelim + hex.EncodeToString(b[:]) + "_tmp" + t.ext)
}

// committedFile is the name of a committed file holding offsets start..end.
func (t *Task) committedFile(tp connectors.TopicPartition, encoded string, start, end int64) string {
	name := tp.Topic + "+" + strconv.Itoa(int(tp.Partition)) + "+" + t.pad(start) + "+" + t.pad(end) + t.ext
	return t.dir(tp, encoded) + t.cfg.DirDelim + name
}

func (t *Task) pad(off int64) string {
	s := strconv.FormatInt(off, 10)
	if len(s) < t.cfg.ZeroPad {
		s = strings.Repeat("0", t.cfg.ZeroPad-len(s)) + s
	}
	return s
}

// spans reads the offset ranges of tp's committed files among names.
func spans(tp connectors.TopicPartition, names []string) []span {
	var out []span
	for _, n := range names {
		m := committedName().FindStringSubmatch(n)
		if m == nil || m[1] != tp.Topic || m[2] != strconv.Itoa(int(tp.Partition)) {
			continue
		}
		start, err1 := strconv.ParseInt(m[3], 10, 64)
		end, err2 := strconv.ParseInt(m[4], 10, 64)
		if err1 == nil && err2 == nil && start <= end {
			out = append(out, span{start, end})
		}
	}
	return out
}

// covered reports whether a span holds offset.
func covered(ss []span, offset int64) bool {
	for _, s := range ss {
		if s.start <= offset && offset <= s.end {
			return true
		}
	}
	return false
}

// absolute roots a path at "/" (HDFS paths in the config are relative to
// the root, as the connector's are to hdfs.url).
func absolute(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}
