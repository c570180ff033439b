// Package tlstest serves tests of TLS clients: the test CA and the
// certificates of package kafkaclient's testdata (a CA, a certificate for
// 127.0.0.1 and localhost in PEM and in keytool's PKCS12, a JKS copy, an
// untrusted CA), and an https server that wants a client certificate.
package tlstest

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// StorePassword is the password of the PKCS12 and JKS files.
const StorePassword = "changeit"

// File is the path of a file of kafkaclient's testdata: ca.pem, client.pem,
// client.key, client.p12, client-keytool.p12, client.jks, truststore.p12,
// other-ca.pem.
func File(name string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "testdata", name)
}

// MTLSServer is an https server with the test certificate that requires a
// client certificate signed by the test CA; it stops when the test ends.
func MTLSServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(File("client.pem"), File("client.key"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(File("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// With returns a copy of base with the key, value pairs kv set.
func With(base map[string]string, kv ...string) map[string]string {
	m := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
