package restsecurity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/workerconfig"
)

func TestReadCredentials(t *testing.T) {
	tests := []struct {
		name, file string
		want       credentials
		wantErr    string
	}{
		{name: "jaas property file", file: "# users\nadmin: s3cret\n! other comment\nbob=pw,admin,ops\n  carol :  spaced  \n",
			want: credentials{"admin": "s3cret", "bob": "pw", "carol": "spaced"}},
		{name: "no users", file: "# nothing\n", wantErr: "no users"},
		{name: "line without separator", file: "justaname\n", wantErr: "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readCredentials(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %v err %v", got, err)
			}
			for u, p := range tt.want {
				if got[u] != p {
					t.Errorf("%s: %q, want %q", u, got[u], p)
				}
			}
		})
	}
}

func TestBasicAuthAndCORS(t *testing.T) {
	secret := `{"connectors":["secret-data"]}`
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(secret)) })
	r := workerconfig.REST{CredentialsFile: writeTemp(t, "admin: s3cret,admin\n"), AllowOrigin: "https://ui.example", AllowMethods: "GET,PUT"}
	h, err := Secure(next, r)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, user, pass, origin, preflight string
		code                                        int
		leaks                                       bool
		allowOrigin, allowMethods                   string
	}{
		{name: "no credentials", method: "GET", code: 401},
		{name: "wrong password", method: "GET", user: "admin", pass: "nope", code: 401},
		{name: "unknown user", method: "GET", user: "eve", pass: "s3cret", code: 401},
		{name: "valid", method: "GET", user: "admin", pass: "s3cret", code: 200, leaks: true},
		{name: "preflight without credentials", method: "OPTIONS", origin: "https://ui.example", preflight: "PUT", code: 204,
			allowOrigin: "https://ui.example", allowMethods: "GET,PUT"},
		{name: "cross-origin call still needs credentials", method: "GET", origin: "https://ui.example", code: 401, allowOrigin: "https://ui.example"},
		{name: "other origin gets no CORS headers", method: "GET", user: "admin", pass: "s3cret", origin: "https://evil.example", code: 200, leaks: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/connectors", nil)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight != "" {
				req.Header.Set("Access-Control-Request-Method", tt.preflight)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.code || strings.Contains(rec.Body.String(), "secret-data") != tt.leaks {
				t.Fatalf("got %d %s", rec.Code, rec.Body.String())
			}
			if tt.code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if got := rec.Header().Get("Access-Control-Allow-Methods"); got != tt.allowMethods {
				t.Errorf("Access-Control-Allow-Methods %q, want %q", got, tt.allowMethods)
			}
		})
	}
}

// TestHTTPSListener serves over TLS from PEM files (both as separate
// certificate/key files and as one ssl.keystore.type=PEM keystore) and
// refuses a JKS keystore with a message saying what to do.
func TestHTTPSListener(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	cert, key := writeTemp(t, string(certPEM)), writeTemp(t, string(keyPEM))
	both := writeTemp(t, string(keyPEM)+string(certPEM))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	for _, r := range []workerconfig.REST{
		{CertificateLocation: cert, KeyLocation: key},
		{KeystoreLocation: both, KeystoreType: "PEM"},
	} {
		tc, err := TLSConfig(r)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
		srv.TLS = tc
		srv.StartTLS()
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	for _, tt := range []struct {
		r       workerconfig.REST
		wantErr string
	}{
		{workerconfig.REST{KeystoreLocation: both, KeystoreType: "JKS"}, "convert it to PKCS12 or PEM"},
		{workerconfig.REST{KeystoreLocation: both}, "export PEM files"},
		{workerconfig.REST{CertificateLocation: cert}, "set both"},
		{workerconfig.REST{}, "listeners.https.ssl.keystore.location"},
	} {
		if _, err := TLSConfig(tt.r); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: err %v, want %q", tt.r, err, tt.wantErr)
		}
	}
}

func TestListenAddrSchemes(t *testing.T) {
	for _, tt := range []struct {
		in           []string
		scheme, addr string
	}{
		{[]string{"http://127.0.0.1:8083"}, "http", "127.0.0.1:8083"},
		{[]string{"https://127.0.0.1:8443", "http://x:1"}, "https", "127.0.0.1:8443"},
		{[]string{"HTTP://:8083"}, "http", ":8083"},
	} {
		addr, _, scheme, err := ListenAddr(tt.in)
		if err != nil || addr != tt.addr || scheme != tt.scheme {
			t.Errorf("%s: %s %s %v", tt.in, addr, scheme, err)
		}
	}
	for _, bad := range [][]string{{"ftp://x:1"}, nil, {"http://nohostport"}} {
		if _, _, _, err := ListenAddr(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Listen serves https with the configured certificate and reports the port
// it really took (listeners with port 0).
func TestListenHTTPS(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	r := workerconfig.REST{Listeners: []string{"https://127.0.0.1:0"},
		CertificateLocation: writeTemp(t, string(certPEM)), KeyLocation: writeTemp(t, string(keyPEM))}
	ln, err := Listen(r)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if !strings.HasPrefix(ln.URL, "https://127.0.0.1:") || strings.HasSuffix(ln.URL, ":0") || strings.HasSuffix(ln.WorkerID, ":0") {
		t.Fatalf("url %s worker id %s", ln.URL, ln.WorkerID)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	resp, err := client.Get(ln.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := Listen(workerconfig.REST{Listeners: []string{"https://127.0.0.1:0"}}); err == nil {
		t.Error("https without a certificate accepted")
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
