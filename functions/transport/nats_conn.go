package transport

// This file connects ferry's processes to NATS with the worker's
// authentication settings (user/password, token, NKey seed, credentials file,
// TLS with client certificates) and starts standalone's embedded server on
// loopback with a random secret.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// NATSOptions are the nats.go options for the worker's NATS settings; it refuses
// half-given settings, naming the keys to set.
func NATSOptions(c workerconfig.NATS) ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case c.NATSPassword != "" && c.NATSUser == "":
		return nil, errors.New("ferry.nats.password is set without ferry.nats.user: set both")
	case c.NATSUser != "":
		opts = append(opts, nats.UserInfo(c.NATSUser, c.NATSPassword))
	}
	if c.NATSToken != "" {
		if c.NATSUser != "" {
			return nil, errors.New("ferry.nats.token and ferry.nats.user are both set: NATS takes one of them")
		}
		opts = append(opts, nats.Token(c.NATSToken))
	}
	if c.NATSNKeyFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NATSNKeyFile)
		if err != nil {
			return nil, fmt.Errorf("ferry.nats.nkey.seed.file=%s: %w", c.NATSNKeyFile, err)
		}
		opts = append(opts, o)
	}
	if c.NATSCreds != "" {
		opts = append(opts, nats.UserCredentials(c.NATSCreds))
	}
	if c.NATSCAFile != "" {
		opts = append(opts, nats.RootCAs(c.NATSCAFile))
	}
	if (c.NATSCertFile == "") != (c.NATSKeyFile == "") {
		return nil, errors.New("NATS TLS client authentication needs both ferry.nats.tls.cert.file and ferry.nats.tls.key.file")
	}
	if c.NATSCertFile != "" {
		opts = append(opts, nats.ClientCert(c.NATSCertFile, c.NATSKeyFile))
	}
	return opts, nil
}

// slotQueueLen is how many invocations one worker slot's subscription
// holds while its slot is busy (nats.go's default is 65,536, 512 KiB of
// channel per slot allocated up front: 4 MiB of a standalone process, 32 MiB
// of a worker with 64 slots). An invocation queued behind thousands of
// others is past its deadline (ferry.invocation.timeout.ms, 10 s) when its
// turn comes and is refused anyway; one arriving at a full queue is dropped,
// and the scheduler re-dispatches it once the deadline and grace passed.
const slotQueueLen = 4096

// ConnectNATS dials the worker's NATS server(s) as name, reconnecting forever.
func ConnectNATS(c workerconfig.NATS, name string, log *slog.Logger) (*nats.Conn, error) {
	auth, err := NATSOptions(c)
	if err != nil {
		return nil, err
	}
	opts := append([]nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond), nats.SyncQueueLen(slotQueueLen),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("NATS disconnected", "err", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("NATS reconnected") })}, auth...)
	nc, err := nats.Connect(c.NATSURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w (check ferry.nats.url and the NATS credentials: user/password, token, nkey, creds or TLS client certificate)", c.NATSURL, err)
	}
	return nc, nil
}

// EmbeddedNATS is standalone's in-process NATS server: loopback only, a random
// port, and a random token nobody else knows.
type EmbeddedNATS struct {
	srv *natsserver.Server
	// Conn is this process's connection to it.
	Conn *nats.Conn
}

// StartEmbeddedNATS starts the server and connects to it.
func StartEmbeddedNATS(log *slog.Logger) (*EmbeddedNATS, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(secret)
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, Authorization: token, NoSigs: true, NoLog: true})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	srv.Start() // returns once the accept loop runs in the server's own goroutines, stopped by Shutdown
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("embedded NATS server did not start within 10s")
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.InProcessServer(srv), nats.Token(token), nats.Name("ferry-standalone"), nats.SyncQueueLen(slotQueueLen))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("connecting to embedded NATS: %w", err)
	}
	log.Info("embedded NATS server started on loopback with a random token", "url", srv.ClientURL())
	return &EmbeddedNATS{srv: srv, Conn: nc}, nil
}

// URL is where the embedded server listens (loopback).
func (e *EmbeddedNATS) URL() string { return e.srv.ClientURL() }

// Close closes the connection and shuts the server down, waiting for it.
func (e *EmbeddedNATS) Close() {
	e.Conn.Close()
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
