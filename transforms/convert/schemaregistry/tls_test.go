package schemaregistry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient/tlstest"
	"github.com/twmb/franz-go/pkg/sr"
)

// registryTLS is a registry over https that wants a client certificate from
// the test CA and a bearer token.
func registryTLS(t *testing.T) string {
	return tlstest.MTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, `{"error_code":401,"message":"no token"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		w.Write([]byte(`["orders-value"]`))
	})).URL
}

// TestRegistryTLSAndBearer reaches a registry over mutual TLS
// (schema.registry.ssl.* with keytool's PKCS12 keystore) with a bearer token,
// and names the key of each bad setting.
func TestRegistryTLSAndBearer(t *testing.T) {
	url := registryTLS(t)
	base := map[string]string{"schema.registry.url": url,
		"schema.registry.ssl.truststore.location": tlstest.File("ca.pem"),
		"schema.registry.ssl.keystore.location":   tlstest.File("client-keytool.p12"), "schema.registry.ssl.keystore.password": "changeit",
		"bearer.auth.credentials.source": "STATIC_TOKEN", "bearer.auth.token": "tok"}
	with := func(kv ...string) map[string]string { return tlstest.With(base, kv...) }
	tests := []struct {
		name  string
		props map[string]string
		err   string
	}{
		{"mtls and bearer", base, ""},
		{"untrusted registry", with("schema.registry.ssl.truststore.location", tlstest.File("other-ca.pem")), "certificate"},
		{"no client certificate", with("schema.registry.ssl.keystore.location", ""), "certificate"},
		{"wrong keystore password", with("schema.registry.ssl.keystore.password", "nope"), "schema.registry.ssl.keystore.location"},
		{"JKS refused", with("schema.registry.ssl.truststore.location", tlstest.File("client.jks")), "keytool -importkeystore"},
		{"token missing", with("bearer.auth.token", ""), "bearer.auth.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst struct {
				Config
			}
			err := Parse(tt.props, &dst, &dst.Config)
			var r *Registry
			if err == nil {
				r, err = New(dst.Config, sr.TypeAvro)
			}
			if err == nil {
				var subjects []string
				subjects, err = r.cl.Subjects(context.Background())
				if err == nil && (len(subjects) != 1 || subjects[0] != "orders-value") {
					t.Fatalf("subjects %v", subjects)
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
			var ce connectors.ConfigErrors
			if strings.HasPrefix(tt.err, "schema.registry.") || strings.HasPrefix(tt.err, "bearer") {
				if !errors.As(err, &ce) {
					t.Fatalf("%T is not a ConfigErrors naming the key: %v", err, err)
				}
			}
		})
	}
}
