package hdfssink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path"
	"strings"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/ferryhq/ferry/connectors"
)

// fs is the HDFS client of one invocation.
type fs struct {
	c    *hdfs.Client
	addr string
}

// dialTimeout bounds every connection to the NameNode and the DataNodes.
const dialTimeout = 5 * time.Second

// connect opens a client for hdfs.url; a NameNode that cannot be reached is
// a RetriableError.
func connect(rawURL string) (*fs, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("hdfs sink: hdfs.url %q: %w", rawURL, err)
	}
	name := u.User.Username()
	if name == "" {
		name = os.Getenv("HADOOP_USER_NAME")
	}
	if name == "" {
		if me, err := user.Current(); err == nil {
			name = me.Username
		}
	}
	d := &net.Dialer{Timeout: dialTimeout}
	c, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{u.Host}, User: name,
		NamenodeDialFunc: d.DialContext, DatanodeDialFunc: d.DialContext})
	if err != nil {
		return nil, connectors.Retriable(fmt.Errorf("hdfs sink: connecting to the NameNode at %s (hdfs.url): %w", u.Host, err))
	}
	return &fs{c: c, addr: u.Host}, nil
}

// refused reports whether HDFS refused a path itself (an invalid name),
// which no retry can fix.
func refused(err error) bool {
	return err != nil && strings.Contains(err.Error(), "InvalidPathException")
}

// fail classifies an HDFS error: a refused path is the record's; anything
// else (NameNode or DataNode gone, timeouts) may pass on retry.
func (f *fs) fail(err error, what string) error {
	if refused(err) {
		return fmt.Errorf("%w: HDFS refused the path (%s): %w", ErrRecord, what, err)
	}
	return connectors.Retriable(fmt.Errorf("hdfs sink: %s on %s: %w", what, f.addr, err))
}

// tmpFile is a file being written under +tmp; nothing reads it.
type tmpFile struct {
	name string
	fw   *hdfs.FileWriter
	buf  *bufio.Writer
}

// create starts a temporary file, making its directory first. Its
// DataNode I/O ends at ctx's deadline (the invocation's), so a DataNode that
// stops answering cannot hold the invocation past it.
func (f *fs) create(ctx context.Context, name string) (*tmpFile, error) {
	if err := f.c.MkdirAll(path.Dir(name), 0o755); err != nil {
		return nil, f.fail(err, "creating the directory of "+name)
	}
	fw, err := f.c.Create(name)
	if err != nil {
		return nil, f.fail(err, "creating "+name)
	}
	if d, ok := ctx.Deadline(); ok {
		if err := fw.SetDeadline(d); err != nil {
			return nil, f.fail(err, "setting the deadline of "+name)
		}
	}
	return &tmpFile{name: name, fw: fw, buf: bufio.NewWriterSize(fw, 1<<20)}, nil
}

// Write buffers p in memory, sending full buffers to the DataNode.
func (t *tmpFile) Write(p []byte) (int, error) { return t.buf.Write(p) }

// finish flushes and closes the file; the NameNode may take a moment to see
// the last block replicated, so Close is asked again, as the Java client does.
func (f *fs) finish(ctx context.Context, t *tmpFile) error {
	if err := t.buf.Flush(); err != nil {
		return f.fail(err, "writing "+t.name)
	}
	wait := 5 * time.Millisecond
	for {
		err := t.fw.Close()
		if err == nil {
			return nil
		}
		if !hdfs.IsErrReplicating(err) {
			return f.fail(err, "closing "+t.name)
		}
		select {
		case <-ctx.Done():
			return f.fail(ctx.Err(), "closing "+t.name)
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// commit renames a finished temporary file into place, replacing a file of
// the same name (the same records, written by an earlier try).
func (f *fs) commit(tmp, final string) error {
	if err := f.c.MkdirAll(path.Dir(final), 0o755); err != nil {
		return f.fail(err, "creating the directory of "+final)
	}
	if err := f.c.Rename(tmp, final); err != nil {
		return f.fail(err, "renaming "+tmp+" to "+final)
	}
	return nil
}

// drop abandons a temporary file: closes what can be closed, removes it.
func (f *fs) drop(t *tmpFile) error {
	t.fw.Close()
	if err := f.c.Remove(t.name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return f.fail(err, "removing "+t.name)
	}
	return nil
}

// names lists the file names in dir; a missing dir has none.
func (f *fs) names(dir string) ([]string, error) {
	infos, err := f.c.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, f.fail(err, "listing "+dir)
	}
	out := make([]string, 0, len(infos))
	for _, fi := range infos {
		if !fi.IsDir() {
			out = append(out, fi.Name())
		}
	}
	return out, nil
}

func (f *fs) close() error { return f.c.Close() }
