// Package nats moves records between Kafka and NATS: a source reading core
// NATS subjects or JetStream streams (a durable consumer, the stream
// sequence as the source offset, acknowledged after Kafka acknowledged) and
// a sink publishing to subjects or JetStream with Nats-Msg-Id set from the
// record's topic, partition and offset, so JetStream's de-duplication makes
// retries effectively once. There is no dominant Kafka Connect NATS
// connector, so the keys are named after NATS's own concepts.
package nats

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	natsio "github.com/nats-io/nats.go"
)

// ErrConnect is wrapped (retriable) when the NATS server cannot be reached.
var ErrConnect = errors.New("cannot reach nats")

// Conn holds the connection keys both connectors share.
type Conn struct {
	URL             string `config:"nats.url" default:"nats://127.0.0.1:4222" importance:"high" group:"NATS" doc:"Comma-separated NATS server URLs (nats://, tls://)."`
	User            string `config:"nats.user" default:"" importance:"medium" group:"NATS" doc:"User name for user/password authentication."`
	Password        string `config:"nats.password" default:"" type:"PASSWORD" importance:"medium" group:"NATS" doc:"Password for user/password authentication."`
	Token           string `config:"nats.token" default:"" type:"PASSWORD" importance:"medium" group:"NATS" doc:"Token for token authentication."`
	CredentialsFile string `config:"nats.credentials.file" default:"" importance:"medium" group:"NATS" doc:"Path of a .creds file (JWT and NKey seed) for decentralized authentication."`
	ConnectTimeout  int64  `config:"nats.connect.timeout.ms" default:"5000" min:"1" importance:"low" group:"NATS" doc:"Timeout for connecting to a server, in milliseconds."`
}

// connect dials NATS; an unreachable server is retriable.
func (c *Conn) connect(name string) (*natsio.Conn, error) {
	opts := []natsio.Option{natsio.Name("ferry " + name), natsio.Timeout(time.Duration(c.ConnectTimeout) * time.Millisecond),
		natsio.NoReconnect()}
	if c.User != "" {
		opts = append(opts, natsio.UserInfo(c.User, c.Password))
	}
	if c.Token != "" {
		opts = append(opts, natsio.Token(c.Token))
	}
	if c.CredentialsFile != "" {
		opts = append(opts, natsio.UserCredentials(c.CredentialsFile))
	}
	nc, err := natsio.Connect(c.URL, opts...)
	if err != nil {
		if errors.Is(err, natsio.ErrAuthorization) || errors.Is(err, natsio.ErrAuthExpired) {
			return nil, fmt.Errorf("nats: connect to %s: %w; check nats.user, nats.password, nats.token or nats.credentials.file", c.URL, err)
		}
		return nil, connectors.Retriable(fmt.Errorf("%w at %s: %w", ErrConnect, c.URL, err))
	}
	return nc, nil
}

// transient marks connection and timeout failures retriable.
func transient(err error) error {
	switch {
	case errors.Is(err, natsio.ErrConnectionClosed), errors.Is(err, natsio.ErrTimeout), errors.Is(err, natsio.ErrNoServers),
		errors.Is(err, natsio.ErrDisconnected), errors.Is(err, natsio.ErrConnectionReconnecting),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, natsio.ErrNoResponders):
		return connectors.Retriable(err)
	}
	return err
}

// badName reports a stream or consumer name NATS refuses.
func badName(s string) bool { return strings.ContainsAny(s, " \t.*>/\\") }

// headers converts NATS headers to Connect string headers, sorted by key;
// NATS's own (Nats-*) are left out.
func headers(h natsio.Header) []connectors.Header {
	var out []connectors.Header
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if strings.HasPrefix(k, "Nats-") {
			continue
		}
		for _, v := range h[k] {
			out = append(out, connectors.Header{Key: k, Schema: connectors.StringSchema, Value: v})
		}
	}
	return out
}
