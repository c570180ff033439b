package elasticsearch

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// testdata of package kafkaclient: a test CA and a certificate it signed for
// 127.0.0.1, in PEM and keytool's PKCS12.
const td = "../kafkaclient/testdata/"

// TestClusterTLS reaches a cluster over mutual TLS with Confluent's
// elastic.security.protocol=SSL and elastic.https.ssl.* keys, and names the
// key of each bad setting.
func TestClusterTLS(t *testing.T) {
	cert, err := tls.LoadX509KeyPair(td+"client.pem", td+"client.key")
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := os.ReadFile(td + "ca.pem")
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":{"number":"8.15.0"}}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()
	base := map[string]string{"connection.url": srv.URL, "topics": "t", "elastic.security.protocol": "SSL",
		"elastic.https.ssl.truststore.location": td + "ca.pem",
		"elastic.https.ssl.keystore.location":   td + "client-keytool.p12", "elastic.https.ssl.keystore.password": "changeit"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name  string
		props map[string]string
		err   string
	}{
		{"mtls", base, ""},
		{"untrusted cluster", with("elastic.https.ssl.truststore.location", td+"other-ca.pem"), "certificate"},
		{"PLAINTEXT ignores the stores", with("elastic.security.protocol", "PLAINTEXT"), "certificate"},
		{"wrong keystore password", with("elastic.https.ssl.keystore.password", "nope"), "elastic.https.ssl.keystore.location"},
		{"JKS refused", with("elastic.https.ssl.truststore.location", td+"client.jks"), "keytool -importkeystore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse(tt.props)
			var c *cluster
			if err == nil {
				c, err = newCluster(cfg)
			}
			if err == nil {
				res, ierr := c.es.Info()
				err = ierr
				if err == nil {
					res.Body.Close()
				}
			}
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
