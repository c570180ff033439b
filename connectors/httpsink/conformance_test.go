package httpsink_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/connectors/conformance"
	"github.com/ferryhq/ferry/connectors/httpsink"
)

// bodyAPI is an HTTP API that keeps every body it accepts, or answers 503
// while down.
type bodyAPI struct {
	mu     sync.Mutex
	down   bool
	bodies []string
}

func (a *bodyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	a.bodies = append(a.bodies, string(body))
}

// TestConformance runs the SDK's acceptance suite on the HTTP sink against
// an in-process API; while the API answers 503 the sink's failure must be
// retriable.
func TestConformance(t *testing.T) {
	a := &bodyAPI{}
	srv := httptest.NewServer(a)
	defer srv.Close()
	conformance.Run(t, conformance.Fixture{
		Plugin: httpsink.Plugin(),
		Config: map[string]string{"topics": "orders", "http.api.url": srv.URL, "max.retries": "1", "retry.backoff.ms": "1"},
		Invalid: []conformance.Invalid{
			{Config: map[string]string{"topics": "orders", "http.api.url": srv.URL, "request.method": "GET"}, Key: "request.method"},
		},
		Written: func() ([]string, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			return append([]string(nil), a.bodies...), nil
		},
		Unavailable: func() (func(), error) {
			a.mu.Lock()
			a.down = true
			a.mu.Unlock()
			return func() { a.mu.Lock(); a.down = false; a.mu.Unlock() }, nil
		},
	})
}
