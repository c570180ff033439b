package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// leanHandshake makes a Lean store's connections send AUTH (when the URL
// has a password) and SELECT (when it names a database other than 0) in the
// same write as go-redis's HELLO, instead of HELLO with AUTH and then
// SELECT: one round trip fewer before the first command. Their replies
// (simple strings, the connection still speaks RESP2 before HELLO) are read
// off before HELLO's; an error reply fails the connection with it.
func leanHandshake(o *redis.Options) {
	var pre []byte
	n := 0
	if o.Password != "" {
		if o.Username != "" {
			pre = appendCommand(pre, "AUTH", o.Username, o.Password)
		} else {
			pre = appendCommand(pre, "AUTH", o.Password)
		}
		n++
	}
	if o.DB > 0 {
		pre = appendCommand(pre, "SELECT", strconv.Itoa(o.DB))
		n++
	}
	if n == 0 {
		return // HELLO alone: nothing to gain
	}
	o.Username, o.Password, o.DB = "", "", 0
	if o.DialTimeout == 0 {
		o.DialTimeout = defaultDialTimeout // NewDialer reads it from o, which NewClient copies before its defaults
	}
	dial := redis.NewDialer(o)
	o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &preConn{Conn: c, pre: pre, pending: n}, nil
	}
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// defaultDialTimeout is go-redis's default DialTimeout.
const defaultDialTimeout = 5 * time.Second

// maxPreReply bounds the bytes read for the replies of the commands sent
// ahead (an OK or one error line each).
const maxPreReply = 4096

// preConn sends pre ahead of the connection's first write and reads its
// pending replies off before the first read returns anything.
type preConn struct {
	net.Conn
	pre     []byte
	pending int
	buf     []byte // bytes read past those replies, for the caller
	err     error  // an error reply: every later read and write fails with it
}

func (c *preConn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.pre == nil {
		return c.Conn.Write(p)
	}
	b := slices.Concat(c.pre, p) // pre is shared by the connections
	c.pre = nil
	if _, err := c.Conn.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *preConn) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.pending > 0 {
		i := bytes.Index(c.buf, []byte("\r\n"))
		if i < 0 {
			if len(c.buf) > maxPreReply {
				return 0, errors.New("redis handshake: reply to AUTH or SELECT too long")
			}
			chunk := make([]byte, 512)
			n, err := c.Conn.Read(chunk)
			c.buf = append(c.buf, chunk[:n]...)
			if err != nil {
				return 0, err
			}
			continue
		}
		line := string(c.buf[:i])
		c.buf, c.pending = c.buf[i+2:], c.pending-1
		if len(line) > 0 && line[0] == '-' {
			c.err = fmt.Errorf("redis handshake: %s", line[1:])
			c.Conn.Close()
			return 0, c.err
		}
	}
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// NetConn is the connection underneath, for go-redis's health checks.
func (c *preConn) NetConn() net.Conn { return c.Conn }
