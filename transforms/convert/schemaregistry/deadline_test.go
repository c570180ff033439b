package schemaregistry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
)

// A registry that does not answer holds a lookup only until the caller's
// deadline (an invocation's), not for the HTTP client's 30 s, and the
// failure is retriable.
func TestRegistryHonoursTheCallersDeadline(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hangs until the client gives up or the test ends
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	reg, err := New(Config{URL: srv.URL, BasicAuthSource: "URL", UseSchemaID: -1, AutoRegister: true}, sr.TypeAvro)
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"SchemaByID", func(ctx context.Context) error { _, err := reg.SchemaByID(ctx, 7); return err }},
		{"ID", func(ctx context.Context) error { _, err := reg.ID(ctx, "t-value", `"string"`, nil); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := c.call(ctx)
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("%s took %s with a 200ms deadline", c.name, took)
			}
			if !connectors.IsRetriable(err) {
				t.Fatalf("%s = %v, want a retriable error", c.name, err)
			}
		})
	}
}
