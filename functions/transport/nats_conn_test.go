package transport

import (
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

func TestNATSOptionsRefusesHalfSettings(t *testing.T) {
	tests := []struct {
		name    string
		c       workerconfig.NATS
		n       int
		wantErr string
	}{
		{name: "none", c: workerconfig.NATS{}, n: 0},
		{name: "user and password", c: workerconfig.NATS{NATSUser: "u", NATSPassword: "p"}, n: 1},
		{name: "token", c: workerconfig.NATS{NATSToken: "t"}, n: 1},
		{name: "tls", c: workerconfig.NATS{NATSCAFile: "ca.pem", NATSCertFile: "c.pem", NATSKeyFile: "k.pem"}, n: 2},
		{name: "password without user", c: workerconfig.NATS{NATSPassword: "p"}, wantErr: "set both"},
		{name: "token and user", c: workerconfig.NATS{NATSUser: "u", NATSToken: "t"}, wantErr: "one of them"},
		{name: "cert without key", c: workerconfig.NATS{NATSCertFile: "c.pem"}, wantErr: "ferry.nats.tls.key.file"},
		{name: "missing nkey seed", c: workerconfig.NATS{NATSNKeyFile: "/nonexistent/seed.nk"}, wantErr: "ferry.nats.nkey.seed.file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := NATSOptions(tt.c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(opts) != tt.n {
				t.Fatalf("%d options, err %v; want %d", len(opts), err, tt.n)
			}
		})
	}
}

// Standalone's embedded NATS listens on loopback only and refuses clients
// without its random token.
func TestEmbeddedNATSLoopbackWithSecret(t *testing.T) {
	e, err := StartEmbeddedNATS(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	u, err := url.Parse(e.URL())
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		t.Fatalf("embedded NATS listens on %s, want loopback", e.URL())
	}
	if nc, err := nats.Connect(e.URL(), nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Fatal("a client without the token was accepted")
	}
	if nc, err := nats.Connect(e.URL(), nats.Token("guess"), nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Fatal("a client with a wrong token was accepted")
	}
	if err := e.Conn.Flush(); err != nil {
		t.Fatalf("the process's own connection: %v", err)
	}
}

// TestWorkerConnectionsBoundSlotQueues: the connections worker slots
// subscribe on (standalone's embedded one and ConnectNATS's) hold at most
// slotQueueLen invocations per slot, not nats.go's 65,536 (512 KiB of
// channel per slot, allocated when the slot subscribes).
func TestWorkerConnectionsBoundSlotQueues(t *testing.T) {
	e, err := StartEmbeddedNATS(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS server did not start")
	}
	nc, err := ConnectNATS(workerconfig.NATS{NATSURL: srv.ClientURL()}, "test", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for name, c := range map[string]*nats.Conn{"embedded": e.Conn, "ConnectNATS": nc} {
		if got := c.Opts.SubChanLen; got != slotQueueLen {
			t.Errorf("%s connection: a slot queues %d invocations, want %d", name, got, slotQueueLen)
		}
	}
}
