package dialect

import (
	"strings"
	"testing"
)

// TestMySQLTLS reads Connector/J's TLS properties from MySQL and MariaDB
// JDBC URLs (before, every property but user and password was ignored and
// the connection was never encrypted).
func TestMySQLTLS(t *testing.T) {
	const td = "../../kafkaclient/testdata/"
	tests := []struct {
		name, url             string
		tls, verify, hostname bool
		clientCert            bool
		err                   string
	}{
		{name: "no properties: as before", url: "jdbc:mysql://db:3306/app"},
		{name: "disabled", url: "jdbc:mysql://db:3306/app?sslMode=DISABLED"},
		{name: "required", url: "jdbc:mysql://db:3306/app?sslMode=REQUIRED", tls: true},
		{name: "useSSL", url: "jdbc:mysql://db:3306/app?useSSL=true", tls: true},
		{name: "verify identity with PEM CA", url: "jdbc:mysql://db:3306/app?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl=file:" + td + "ca.pem",
			tls: true, verify: true, hostname: true},
		{name: "verify ca with PKCS12 truststore and keytool client keystore", url: "jdbc:mysql://db:3306/app?sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=file:" + td +
			"truststore.p12&trustCertificateKeyStorePassword=changeit&clientCertificateKeyStoreUrl=file:" + td + "client-keytool.p12&clientCertificateKeyStorePassword=changeit",
			tls: true, verify: true, clientCert: true},
		{name: "mariadb verify-full", url: "jdbc:mariadb://db:3306/app?sslMode=verify-full&serverSslCert=" + td + "ca.pem", tls: true, verify: true, hostname: true},
		{name: "bad mode", url: "jdbc:mysql://db:3306/app?sslMode=SOMETIMES", err: "sslMode"},
		{name: "wrong keystore password", url: "jdbc:mysql://db:3306/app?sslMode=VERIFY_CA&clientCertificateKeyStoreUrl=file:" + td +
			"client-keytool.p12&clientCertificateKeyStorePassword=nope", err: "clientCertificateKeyStoreUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			c, err := MySQLConfig(u)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (c.TLS != nil) != tt.tls {
				t.Fatalf("TLS = %v, want %v", c.TLS != nil, tt.tls)
			}
			if c.TLS == nil {
				return
			}
			verified := !c.TLS.InsecureSkipVerify || c.TLS.VerifyConnection != nil
			if verified != tt.verify || (c.TLS.ServerName == "db" && !c.TLS.InsecureSkipVerify) != tt.hostname || (len(c.TLS.Certificates) > 0) != tt.clientCert {
				t.Fatalf("tls %+v: want verify %v hostname %v client cert %v", c.TLS, tt.verify, tt.hostname, tt.clientCert)
			}
		})
	}
}
