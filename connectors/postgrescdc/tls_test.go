package postgrescdc

import (
	"errors"
	"strings"
	"testing"
)

func TestSSLParams(t *testing.T) {
	c := Config{Hostname: "h", Port: 5432, User: "u", DBName: "d", SSLMode: "verify-full",
		SSLConfig: SSLConfig{SSLRootCert: "/ca.pem", SSLCert: "/c.pem", SSLKey: "/it's.key", SSLPassword: "pw"}}
	want := ` sslmode=verify-full timezone=UTC datestyle=ISO application_name=ferry sslrootcert='/ca.pem' sslcert='/c.pem' sslkey='/it\'s.key' sslpassword='pw'`
	if got := c.connString(false); !strings.HasSuffix(got, want) {
		t.Fatalf("connString %q, want it to end %q", got, want)
	}
	c.SSLConfig = SSLConfig{}
	if got := c.connString(false); strings.Contains(got, "sslrootcert") {
		t.Fatalf("connString %q names unset keys", got)
	}
}

func TestDescribeTLS(t *testing.T) {
	c := Config{Hostname: "db.example", Port: 5432, SSLMode: "verify-full", SSLConfig: SSLConfig{SSLRootCert: "/ca.pem", SSLKey: "/k.pem"}}
	for msg, want := range map[string]string{
		"server refused TLS connection": "database.sslmode=verify-full, but the server at db.example:5432 offers no TLS",
		"tls: failed to verify certificate: x509: certificate signed by unknown authority":                                 "does not verify against database.sslrootcert \"/ca.pem\"",
		"x509: certificate is valid for localhost, not db.example":                                                         "does not name database.hostname",
		"cannot parse `host=x`: failed to configure TLS (unable to read CA file: open /ca.pem: no such file or directory)": "database.sslrootcert \"/ca.pem\"",
		"cannot parse `host=x`: failed to configure TLS (unable to read sslkey: open /k.pem: no such file or directory)":   "database.sslkey \"/k.pem\"",
	} {
		if err := c.describeTLS(errors.New(msg)); !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", msg, err, want)
		}
	}
	if err := c.describeTLS(errors.New("dial tcp: connection refused")); err != nil {
		t.Errorf("not a TLS failure: %v", err)
	}
}
