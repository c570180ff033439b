package mysqlcdc

import (
	"errors"
	"strings"
	"testing"
)

func TestSSLMode(t *testing.T) {
	for _, tc := range []struct {
		mode string
		fl   flavor
		want string
	}{
		{"", mysqlFlavor, sslPreferred}, {"", mariadbFlavor, sslDisabled},
		{"disable", mysqlFlavor, sslDisabled}, {"DISABLED", mariadbFlavor, sslDisabled},
		{"trust", mariadbFlavor, sslRequired}, {"required", mysqlFlavor, sslRequired},
		{"verify-ca", mariadbFlavor, sslVerifyCA}, {"verify_ca", mysqlFlavor, sslVerifyCA},
		{"verify-full", mariadbFlavor, sslVerifyIdentity}, {"verify_identity", mysqlFlavor, sslVerifyIdentity},
		{"preferred", mariadbFlavor, sslPreferred},
	} {
		c := SSLConfig{SSLMode: tc.mode}
		if got := c.sslMode(tc.fl); got != tc.want {
			t.Errorf("%q (%s): %s, want %s", tc.mode, tc.fl.connector, got, tc.want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	const td = "../kafkaclient/testdata/"
	for _, tc := range []struct {
		name, mode string
		ssl        SSLConfig
		want       string // error text; "" for a config
		skip       bool   // InsecureSkipVerify
	}{
		{name: "disabled", mode: sslDisabled},
		{name: "required skips verification", mode: sslRequired, skip: true},
		{name: "verify_identity checks the host", mode: sslVerifyIdentity, ssl: SSLConfig{SSLTruststore: td + "ca.pem"}},
		{name: "verify_ca checks the chain only", mode: sslVerifyCA, ssl: SSLConfig{SSLTruststore: td + "ca.pem"}, skip: true},
		{name: "PKCS12 truststore", mode: sslVerifyIdentity, ssl: SSLConfig{SSLTruststore: td + "truststore.p12", SSLTruststorePassword: "changeit"}},
		{name: "PKCS12 keystore", mode: sslVerifyIdentity, ssl: SSLConfig{SSLKeystore: td + "client.p12", SSLKeystorePassword: "changeit"}},
		{name: "JKS truststore refused", mode: sslVerifyCA, ssl: SSLConfig{SSLTruststore: td + "client.jks"},
			want: "database.ssl.truststore: \"" + td + "client.jks\" is a JKS store, which ferry does not read (no maintained Go reader): convert it with `keytool -importkeystore"},
		{name: "wrong keystore password", mode: sslRequired, ssl: SSLConfig{SSLKeystore: td + "client.p12", SSLKeystorePassword: "nope"},
			want: "database.ssl.keystore: \"" + td + "client.p12\" not a PKCS12 keystore readable with database.ssl.keystore.password"},
		{name: "missing truststore", mode: sslVerifyCA, ssl: SSLConfig{SSLTruststore: "/nonexistent.pem"}, want: "database.ssl.truststore: \"/nonexistent.pem\" cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Hostname: "db.example", SSLConfig: tc.ssl}
			tc2, err := cfg.tlsConfig(tc.mode)
			if tc.want != "" {
				if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.mode == sslDisabled {
				if tc2 != nil {
					t.Fatal("TLS for disabled")
				}
				return
			}
			if tc2.ServerName != "db.example" || tc2.InsecureSkipVerify != tc.skip || (tc.ssl.SSLKeystore != "") != (len(tc2.Certificates) == 1) ||
				(tc.ssl.SSLTruststore != "") != (tc2.RootCAs != nil) {
				t.Fatalf("ServerName %q, InsecureSkipVerify %v, %d certificates", tc2.ServerName, tc2.InsecureSkipVerify, len(tc2.Certificates))
			}
		})
	}
}

func TestDescribeTLS(t *testing.T) {
	cfg := Config{Hostname: "db.example", Port: 3306, SSLConfig: SSLConfig{SSLTruststore: "/ca.pem"}}
	for msg, want := range map[string]string{
		"tls: failed to verify certificate: x509: certificate is valid for localhost, not db.example": "does not name database.hostname \"db.example\"",
		"tls: failed to verify certificate: x509: certificate signed by unknown authority":            "does not verify against database.ssl.truststore \"/ca.pem\"",
		"remote error: tls: handshake failure":                                                        "check database.ssl.keystore",
	} {
		if err := cfg.describeTLS(sslVerifyIdentity, errors.New(msg)); !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", msg, err, want)
		}
	}
	if err := cfg.describeTLS(sslRequired, errors.New("connection refused")); errors.Is(err, ErrTLS) {
		t.Errorf("a refused connection is no TLS failure: %v", err)
	}
}
