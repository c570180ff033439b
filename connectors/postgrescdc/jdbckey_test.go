package postgrescdc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJDBCClientKey: pgjdbc's key formats (PKCS12, PKCS#8 DER) are loaded by
// ferry and left out of the connection string; PEM goes to the connection
// string as libpq's sslkey.
func TestJDBCClientKey(t *testing.T) {
	const td = "../kafkaclient/testdata/"
	pair, err := tls.LoadX509KeyPair(td+"client.pem", td+"client.key")
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(pair.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pk8 := filepath.Join(t.TempDir(), "client.pk8")
	if err := os.WriteFile(pk8, der, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ssl  SSLConfig
		want string // error text; "" for a certificate
	}{
		{name: "PKCS12", ssl: SSLConfig{SSLKey: td + "client.p12", SSLPassword: "changeit"}},
		{name: "PKCS#8 DER with a PEM certificate", ssl: SSLConfig{SSLKey: pk8, SSLCert: td + "client.pem"}},
		{name: "PKCS12, wrong password", ssl: SSLConfig{SSLKey: td + "client.p12", SSLPassword: "nope"}, want: "is neither a PEM key, a PKCS12 file readable with database.sslpassword"},
		{name: "PKCS#8 without a certificate", ssl: SSLConfig{SSLKey: pk8}, want: "set database.sslcert to the client's certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ssl.jdbcKey() {
				t.Fatal("not taken for a pgjdbc key")
			}
			if p := tc.ssl.sslParams(func(s string) string { return s }); strings.Contains(p, "sslkey") {
				t.Fatalf("connection string parameters %q pass the key on", p)
			}
			cert, err := tc.ssl.jdbcCert()
			if tc.want != "" {
				if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil || string(cert.Certificate[0]) != string(pair.Certificate[0]) {
				t.Fatalf("certificate %v, %v", cert, err)
			}
		})
	}
	pemKey := SSLConfig{SSLKey: td + "client.key", SSLCert: td + "client.pem"}
	if pemKey.jdbcKey() || !strings.Contains(pemKey.sslParams(func(s string) string { return s }), "sslkey="+td+"client.key") {
		t.Fatal("a PEM key goes to the connection string")
	}
}
