//go:build integration

package conformance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pyClient is the published Kafka Connect REST client the test drives ferry
// with, unchanged. It is a STAND-IN: no published Go client (the Terraform
// provider's github.com/ricardo-ch/go-kafka-connect, github.com/go-kafka/connect)
// can be fetched from the Go module proxy reachable here, so the test uses
// kafka-connect-py from PyPI, a client of the same REST API.
const pyClient = "kafka-connect-py==1.0.0"

// TestPublishedClient drives ferry, served over HTTPS with basic auth, with
// kafka-connect-py: create, list, status, update, pause, resume, restart,
// tasks, topics, validate, stop, delete — and an unauthenticated call refused.
func TestPublishedClient(t *testing.T) {
	kafka := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if kafka == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka)\"`")
	}
	site := installPyClient(t)
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	cert, key, creds := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "creds.properties")
	for f, b := range map[string][]byte{cert: certPEM, key: keyPEM, creds: []byte("# ferry REST users\nadmin: s3cret,admin\n")} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	url := startFerry(t, dir, kafka, "https", client, "--ssl-certificate-location", cert, "--ssl-key-location", key,
		"--rest-basic-auth-file", creds)
	src := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(src, []byte("a\nb\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	cmd := exec.Command("python3", filepath.Join("testdata", "pyclient.py"))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+site, "FERRY_URL="+url, "FERRY_AUTH=admin:s3cret", "FERRY_CA="+cert,
		"SRC_FILE="+src, "TOPIC=pyclient-"+run, "NAME=pyclient-"+run)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("kafka-connect-py against ferry: %v", err)
	}
	last := strings.TrimSpace(string(out))
	fmt.Println(last[strings.LastIndexByte(last, '\n')+1:])
}

// installPyClient installs the client once into the local stack directory
// (PyPI, with pip) and returns the directory to put on PYTHONPATH.
func installPyClient(t *testing.T) string {
	t.Helper()
	stack := os.Getenv("FERRY_STACK_DIR")
	if stack == "" {
		home, _ := os.UserHomeDir()
		stack = filepath.Join(home, ".cache", "ferry-stack")
	}
	site := filepath.Join(stack, "pyclient", strings.ReplaceAll(pyClient, "==", "-"))
	if _, err := os.Stat(filepath.Join(site, ".installed")); err == nil {
		return site
	}
	cmd := exec.Command("python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
		"--no-warn-script-location", "--target", site, pyClient)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("installing %s from PyPI (needs python3 with pip: apt-get install python3-pip): %v\n%s", pyClient, err, out)
	}
	if err := os.WriteFile(filepath.Join(site, ".installed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return site
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
