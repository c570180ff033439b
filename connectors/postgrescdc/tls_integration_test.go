//go:build integration

package postgrescdc_test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
)

// plaintextOnly is a server that answers PostgreSQL's SSLRequest with 'N',
// as a server with ssl=off does; it stops when the test ends.
func plaintextOnly(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 8) // length, then the SSLRequest code
			if _, err := c.Read(buf); err == nil {
				c.Write([]byte("N"))
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// TestTLS: the connector reaches the stack's PostgreSQL (localstack/up
// postgres serves TLS with db_tls's certificate) with database.sslmode
// verify-full against the test CA, snapshot and streaming, with and
// without a client certificate (PEM, or pgjdbc's PKCS12); a wrong CA, an unreadable key and require
// against a server without TLS are FAILED with the key to fix.
func TestTLS(t *testing.T) {
	tlsDir := env(t, "DB_TLS_DIR")
	conn := pg(t)
	name := "tls_" + strings.ReplaceAll(t.Name(), "/", "_")
	name = strings.ToLower(name)
	exec(t, conn, "CREATE TABLE "+name+" (id INT PRIMARY KEY)", "INSERT INTO "+name+" VALUES (1)")
	with := func(slot string, kv ...string) map[string]string {
		cfg := connectorConfig(t, slot, "public."+name)
		for i := 0; i+1 < len(kv); i += 2 {
			cfg[kv[i]] = kv[i+1]
		}
		dropSlot(t, conn, slot)
		return cfg
	}
	t.Run("verify-full against the CA", func(t *testing.T) {
		for i, keys := range [][]string{
			{"database.sslmode", "verify-full", "database.sslrootcert", filepath.Join(tlsDir, "ca.pem")},
			{"database.sslmode", "verify-full", "database.sslrootcert", filepath.Join(tlsDir, "ca.pem"),
				"database.sslcert", filepath.Join(tlsDir, "client.pem"), "database.sslkey", filepath.Join(tlsDir, "client.key")},
			{"database.sslmode", "verify-full", "database.sslrootcert", filepath.Join(tlsDir, "ca.pem"), // pgjdbc's PKCS12 key
				"database.sslkey", filepath.Join(tlsDir, "client.p12"), "database.sslpassword", "changeit"},
		} {
			hs := newHarness(t, with(name+"_ok"+string(rune('a'+i)), keys...))
			if read := hs.Drain(100); read != 1 {
				t.Fatalf("snapshot read %d, want 1", read)
			}
			exec(t, conn, "INSERT INTO "+name+" VALUES ("+string(rune('2'+i))+")")
			if read := hs.Drain(100); read != 1 {
				t.Fatalf("streaming read %d, want 1", read)
			}
			exec(t, conn, "DELETE FROM "+name+" WHERE id > 1")
		}
	})
	for _, tc := range []struct {
		name string
		keys []string
		want []string
	}{
		{"wrong CA", []string{"database.sslmode", "verify-full", "database.sslrootcert", filepath.Join(tlsDir, "other-ca.pem")},
			[]string{"does not verify against database.sslrootcert", "other-ca.pem", "set database.sslrootcert to the CA that signed it"}},
		{"unreadable key", []string{"database.sslmode", "verify-full", "database.sslrootcert", filepath.Join(tlsDir, "ca.pem"),
			"database.sslcert", filepath.Join(tlsDir, "client.pem"), "database.sslkey", filepath.Join(tlsDir, "missing.key")},
			[]string{"database.sslkey", "missing.key"}},
		{"require without TLS", []string{"database.sslmode", "require", "database.port", plaintextOnly(t)},
			[]string{"database.sslmode=require, but the server at", "offers no TLS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := newHarness(t, with(name+"_bad", tc.keys...)).Invoke(100)
			if res.State != functions.StateFailed {
				t.Fatalf("state %s, want FAILED (trace %q)", res.State, res.Trace)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Trace, w) {
					t.Errorf("trace %q does not contain %q", res.Trace, w)
				}
			}
		})
	}
}
