package elasticsearch

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/kafkaclient/tlstest"
)

// TestClusterTLS reaches a cluster over mutual TLS with Confluent's
// elastic.security.protocol=SSL and elastic.https.ssl.* keys, and names the
// key of each bad setting.
func TestClusterTLS(t *testing.T) {
	srv := tlstest.MTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":{"number":"8.15.0"}}`))
	}))
	base := map[string]string{"connection.url": srv.URL, "topics": "t", "elastic.security.protocol": "SSL",
		"elastic.https.ssl.truststore.location": tlstest.File("ca.pem"),
		"elastic.https.ssl.keystore.location":   tlstest.File("client-keytool.p12"), "elastic.https.ssl.keystore.password": tlstest.StorePassword}
	with := func(kv ...string) map[string]string { return tlstest.With(base, kv...) }
	tests := []struct {
		name  string
		props map[string]string
		err   string
	}{
		{"mtls", base, ""},
		{"untrusted cluster", with("elastic.https.ssl.truststore.location", tlstest.File("other-ca.pem")), "certificate"},
		{"PLAINTEXT ignores the stores", with("elastic.security.protocol", "PLAINTEXT"), "certificate"},
		{"wrong keystore password", with("elastic.https.ssl.keystore.password", "nope"), "elastic.https.ssl.keystore.location"},
		{"JKS refused", with("elastic.https.ssl.truststore.location", tlstest.File("client.jks")), "keytool -importkeystore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse(tt.props)
			var c *cluster
			if err == nil {
				c, err = newCluster(cfg)
			}
			if err == nil {
				res, ierr := c.do(context.Background(), http.MethodGet, "/", "", nil)
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
