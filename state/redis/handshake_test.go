package redis

import (
	"bufio"
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeRedis is a RESP3 server on a loopback port that records the commands
// it is sent: HELLO answers protocol 3, PING answers PONG, HGET answers hget
// (null when empty), anything else OK.
type fakeRedis struct {
	ln   net.Listener
	mu   sync.Mutex
	cmds []string
	hget string
	// password, when set, is the one AUTH accepts; batched are the
	// commands that arrived in one write with the command after them.
	password string
	batched  []string
	done     sync.WaitGroup
}

func newFakeRedis(t *testing.T) *fakeRedis {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRedis{ln: ln}
	f.done.Add(1)
	go func() {
		defer f.done.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.done.Add(1)
			go func() { defer f.done.Done(); f.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); f.done.Wait() })
	return f
}

// serve answers one connection until the client closes it.
func (f *fakeRedis) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		cmd := strings.ToLower(strings.Join(args[:min(2, len(args))], " "))
		if strings.HasPrefix(cmd, "hget ") {
			cmd = "hget" // the key's prefix aside
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, cmd)
		if r.Buffered() > 0 {
			f.batched = append(f.batched, cmd)
		}
		hget, password := f.hget, f.password
		f.mu.Unlock()
		reply := "+OK\r\n"
		switch {
		case args[0] == "AUTH" && args[len(args)-1] != password:
			reply = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
		case cmd == "select 99":
			reply = "-ERR DB index is out of range\r\n"
		case strings.HasPrefix(cmd, "hello"):
			reply = "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n"
		case cmd == "ping":
			reply = "+PONG\r\n"
		case cmd == "hget" && hget == "":
			reply = "_\r\n"
		case cmd == "hget":
			reply = "$" + strconv.Itoa(len(hget)) + "\r\n" + hget + "\r\n"
		}
		if _, err := c.Write([]byte(reply)); err != nil {
			return
		}
	}
}

// readCommand reads one RESP array of bulk strings.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	args := make([]string, 0, n)
	for range n {
		if _, err := r.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		arg, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args = append(args, strings.TrimSuffix(arg, "\r\n"))
	}
	return args, nil
}

// TestLeanHandshake: a Lean store's connection sends neither CLIENT SETINFO
// nor CLIENT MAINT_NOTIFICATIONS before its first command (the Lambda
// function opens its store so, two round trips fewer at every cold start),
// and Open checks it by reading the signing keys instead of a PING; a store
// opened without Lean keeps go-redis's handshake and the PING.
func TestLeanHandshake(t *testing.T) {
	for _, tc := range []struct {
		lean bool
		want []string // client subcommands sent
		last string
	}{
		{false, []string{"client maint_notifications", "client setinfo"}, "ping"},
		{true, nil, "hget"},
	} {
		f := newFakeRedis(t)
		s, err := Open(context.Background(), "redis://"+f.ln.Addr().String()+"/3", Options{Lean: tc.lean})
		if err != nil {
			t.Fatalf("Open(Lean: %v): %v", tc.lean, err)
		}
		s.Close()
		f.mu.Lock()
		var client []string
		for _, c := range f.cmds {
			if strings.HasPrefix(c, "client ") && !slices.Contains(client, c) {
				client = append(client, c)
			}
		}
		cmds := slices.Clone(f.cmds)
		f.mu.Unlock()
		slices.Sort(client)
		if !slices.Equal(client, tc.want) || !slices.Contains(cmds, "select 3") || cmds[len(cmds)-1] != tc.last ||
			slices.Contains(cmds[:len(cmds)-1], tc.last) {
			t.Errorf("Open(Lean: %v) sent %q; want the CLIENT subcommands %q, SELECT 3 and one %s last", tc.lean, cmds, tc.want, tc.last)
		}
	}
}

// TestLeanOpenReadsSigningKeysOnce: a Lean Open checks the connection with
// the read of the signing keys, which answers the first SigningKeys call
// (the function's first invocation verifies its payload with them): one
// command after the handshake where there were two (PING, HGET). Later
// calls read Redis again; keys absent at Open are read on the first call.
func TestLeanOpenReadsSigningKeysOnce(t *testing.T) {
	keys := `{"current":{"generation":7,"secret":"c2VjcmV0","created":"2026-12-06T00:00:00Z"}}`
	for _, tc := range []struct {
		stored string
		want   []int // commands after the handshake, after the first and the second call
	}{
		{keys, []int{1, 2}},
		{"", []int{2, 3}},
	} {
		f := newFakeRedis(t)
		f.hget = tc.stored
		s, err := Open(context.Background(), "redis://"+f.ln.Addr().String()+"/3", Options{Lean: true})
		if err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.hget = keys
		f.mu.Unlock()
		for call, want := range tc.want {
			k, err := s.SigningKeys(context.Background())
			if err != nil || k.Current.Generation != 7 || string(k.Current.Secret) != "secret" {
				t.Fatalf("stored %q, call %d: SigningKeys = %+v, %v", tc.stored, call, k, err)
			}
			f.mu.Lock()
			var sent []string
			for _, c := range f.cmds {
				if !strings.HasPrefix(c, "hello") && !strings.HasPrefix(c, "select") {
					sent = append(sent, c)
				}
			}
			f.mu.Unlock()
			if len(sent) != want {
				t.Errorf("stored %q: after call %d the store sent %q; want %d commands", tc.stored, call, sent, want)
			}
		}
		s.Close()
	}
}

// TestLeanHandshakeOneWrite: a Lean store sends AUTH and SELECT in the same
// write as HELLO (one round trip before its first command, where HELLO and
// SELECT took two), and a refused password or database fails Open naming
// the reply. Without a password and with database 0 there is nothing to send
// ahead.
func TestLeanHandshakeOneWrite(t *testing.T) {
	for _, tc := range []struct {
		url, password string
		batched       []string // sent in one write with the command after
		err           string
	}{
		{"/3", "", []string{"select 3"}, ""},
		{"/0", "", nil, ""},
		{"/5", "s3cret", []string{"auth s3cret", "select 5"}, ""},
		{"/0", "s3cret", []string{"auth s3cret"}, ""},
		{"/5", "other", nil, "WRONGPASS"},
		{"/99", "", nil, "DB index is out of range"},
	} {
		f := newFakeRedis(t)
		f.password = tc.password
		url := "redis://" + f.ln.Addr().String() + tc.url
		if tc.password != "" {
			url = "redis://:s3cret@" + f.ln.Addr().String() + tc.url
		}
		s, err := Open(context.Background(), url, Options{Lean: true})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s with password %q: Open = %v; want an error naming %q", tc.url, tc.password, err, tc.err)
			}
			if err == nil {
				s.Close()
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		s.Close()
		f.mu.Lock()
		cmds, batched := slices.Clone(f.cmds), slices.Clone(f.batched)
		f.mu.Unlock()
		if !slices.Equal(batched, tc.batched) || slices.Index(cmds, "hello 3") != len(tc.batched) {
			t.Errorf("%s with password %q: sent %q, %q in one write with the next; want %q ahead of HELLO", tc.url, tc.password, cmds, batched, tc.batched)
		}
	}
}
