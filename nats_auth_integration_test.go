//go:build integration

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/state/file"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// A real nats-server with authentication on refuses a client without
// credentials, and a ferry worker configured with them runs a task sent by
// a scheduler's dispatcher configured the same way: user/password, token,
// NKey and TLS client certificates (issue 11 item 3).
func TestNATSAuthentication(t *testing.T) {
	bin := natsServerBinary(t)
	bootstrap := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if bootstrap == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka nats)\"`")
	}
	dir := t.TempDir()
	seed, pub := nkeyUser(t, dir)
	ca, srvCert, srvKey, cliCert, cliKey := testPKI(t, dir)
	tests := []struct {
		name, conf string
		flags      []string
		anonymous  []nats.Option // a client without credentials (TLS trust only)
	}{
		{"user and password", `authorization { user: ferry, password: "s3cret-pw" }`, []string{"--nats-user", "ferry", "--nats-password", "s3cret-pw"}, nil},
		{"token", `authorization { token: "s3cret-token" }`, []string{"--nats-token", "s3cret-token"}, nil},
		{"nkey", fmt.Sprintf(`authorization { users = [ { nkey: %q } ] }`, pub), []string{"--nats-nkey-file", seed}, nil},
		{"tls client certificate", fmt.Sprintf(`tls { cert_file: %q, key_file: %q, ca_file: %q, verify: true }`, srvCert, srvKey, ca),
			[]string{"--nats-tls-ca", ca, "--nats-tls-cert", cliCert, "--nats-tls-key", cliKey}, []nats.Option{nats.RootCAs(ca)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := startNATSServer(t, bin, filepath.Join(dir, fmt.Sprintf("nats-%d.conf", i)), tt.conf)
			if nc, err := nats.Connect(url, append(tt.anonymous, nats.Timeout(3*time.Second))...); err == nil {
				nc.Close()
				t.Fatal("a client without credentials was accepted")
			}
			subject := fmt.Sprintf("ferry.test.auth.%d.%d", i, time.Now().UnixNano())
			args := append([]string{"--nats-url", url, "--nats-subject", subject, "--bootstrap-servers", bootstrap,
				"--state", "file:" + filepath.Join(t.TempDir(), "state"), "--log-level", "warn"}, tt.flags...)
			runAuthenticatedTask(t, testProc(t, "", args...), subject)
		})
	}
}

// runAuthenticatedTask runs a worker and dispatches one datagen invocation to it.
func runAuthenticatedTask(t *testing.T, p *proc, subject string) {
	store, err := file.Open(p.State[len("file:"):])
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	workerConn, err := connectNATS(p, "test-worker")
	if err != nil {
		t.Fatal(err)
	}
	defer workerConn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveWorker(ctx, p, store, workerConn) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	schedConn, err := connectNATS(p, "test-scheduler")
	if err != nil {
		t.Fatal(err)
	}
	defer schedConn.Close()
	name := fmt.Sprintf("nats-auth-%d", time.Now().UnixNano()%1e9)
	epoch, err := store.NextEpoch(ctx, name, 0)
	if err != nil {
		t.Fatal(err)
	}
	inv := functions.Invocation{ID: name + "-0-1", Connector: name, Task: 0, Epoch: epoch, Class: "DatagenConnector",
		Config: map[string]string{"name": name, "connector.class": "DatagenConnector", "task.id": "0", "tasks.max": "1",
			"kafka.topic": name, "quickstart": "orders", "iterations": "5", "max.interval": "0"},
		Deadline: time.Now().Add(20 * time.Second), MaxRecords: 100}
	d := transport.NewNATSDispatcher(schedConn, transport.NewSigner(store, 0)).OnSubject(subject)
	var res functions.Result
	for deadline := time.Now().Add(10 * time.Second); ; { // the worker subscribes asynchronously
		res, err = d.Dispatch(ctx, inv)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || res.State != functions.StateRunning || res.Written != 5 {
		t.Fatalf("result %+v err %v, want RUNNING with 5 records written", res, err)
	}
}

func natsServerBinary(t *testing.T) string {
	dir := os.Getenv("FERRY_STACK_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "ferry-stack")
	}
	if bin := filepath.Join(dir, "bin", "nats-server"); fileExists(bin) {
		return bin
	}
	if bin, err := exec.LookPath("nats-server"); err == nil {
		return bin
	}
	t.Fatal("nats-server not found: run `localstack/up nats`, which builds it into $FERRY_STACK_DIR/bin")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startNATSServer runs a private nats-server on a free loopback port with conf.
func startNATSServer(t *testing.T, bin, confPath, conf string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := os.WriteFile(confPath, []byte(fmt.Sprintf("listen: \"127.0.0.1:%d\"\n%s\n", port, conf)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			return fmt.Sprintf("nats://127.0.0.1:%d", port)
		}
	}
	t.Fatal("nats-server did not start within 10s")
	return ""
}

// nkeyUser writes a user NKey seed file and returns it with the public key.
func nkeyUser(t *testing.T, dir string) (seedFile, public string) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := kp.Seed()
	public, _ = kp.PublicKey()
	seedFile = filepath.Join(dir, "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	return seedFile, public
}

// testPKI writes a CA, a server certificate for 127.0.0.1 and a client certificate.
func testPKI(t *testing.T, dir string) (ca, srvCert, srvKey, cliCert, cliKey string) {
	caKey, caTmpl := newKey(t), &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ferry test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	ca = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	issue := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		k := newKey(t)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalPKCS8PrivateKey(k)
		return writePEM(t, dir, name+".pem", "CERTIFICATE", der), writePEM(t, dir, name+"-key.pem", "PRIVATE KEY", kder)
	}
	srvCert, srvKey = issue("server", 2, x509.ExtKeyUsageServerAuth)
	cliCert, cliKey = issue("client", 3, x509.ExtKeyUsageClientAuth)
	return
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
