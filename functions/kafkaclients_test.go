package functions

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestAdminClientOnFirstUse: NewHandler builds one franz-go client, the
// producer; the admin client (each client costs a cold start franz-go's
// version tables) is built by the first invocation that needs it, once.
// The admin keys are still checked at start.
func TestAdminClientOnFirstUse(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	opts := Options{Plugins: connectors.NewRegistry(), Seeds: c.ListenAddrs(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.kafka.adminCl != nil {
		t.Fatal("NewHandler built the admin client; want it built on first use")
	}
	adm, cl, err := h.kafka.admin()
	if err != nil || adm == nil || cl == nil {
		t.Fatalf("admin() = %v, %v, %v; want the clients", adm, cl, err)
	}
	if again, _, _ := h.kafka.admin(); again != adm {
		t.Fatal("admin() built a second client")
	}

	opts.Kafka = map[string]string{"admin.security.protocol": "BOGUS"}
	if h, err := NewHandler(opts); err == nil || !strings.Contains(err.Error(), "security.protocol") {
		if err == nil {
			h.Close()
		}
		t.Fatalf("NewHandler with a bad admin key: %v; want the key's error at start", err)
	}
}
