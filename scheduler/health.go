package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
)

// healthTimeout bounds each dependency check behind GET /health.
const healthTimeout = 2 * time.Second

// healthProbe is the store entry GET /health reads: absent, so the read is
// cheap and answers state.ErrNotFound when the store is reachable.
const healthProbe = "__ferry_health_probe"

// brokerPinger is a GroupAdmin (a *kadm.Client) that can also ask Kafka for
// its brokers; GET /health uses it to tell whether Kafka is reachable.
type brokerPinger interface {
	BrokerMetadata(ctx context.Context) (kadm.Metadata, error)
}

// health answers GET /health as Kafka Connect 3.9+ does (KIP-1017): 200
// "healthy" when the scheduler can serve requests; otherwise 503 with
// "starting" until Run has reached the store once, or "unhealthy" with a
// message naming the cause (state store, leader, Kafka). Kafka Connect
// answers 500 for "unhealthy"; ferry answers 503 so load balancers and
// Kubernetes take the instance out without reading the body.
func (s *Scheduler) health(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if !s.started.Load() {
		return http.StatusServiceUnavailable, workerStatus{Status: "starting", Message: "Worker is still starting up: the scheduler has not reached its state store yet."}, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := s.checkHealth(ctx); err != nil {
		return http.StatusServiceUnavailable, workerStatus{Status: "unhealthy", Message: err.Error()}, nil
	}
	return http.StatusOK, workerStatus{Status: "healthy",
		Message: "Worker has completed startup and is ready to handle requests."}, nil
}

// checkHealth names the first dependency that fails.
func (s *Scheduler) checkHealth(ctx context.Context) error {
	start := time.Now()
	if _, err := s.o.Store.Connector(ctx, healthProbe); err != nil && !errors.Is(err, state.ErrNotFound) {
		return fmt.Errorf("state store unreachable: %v", err)
	}
	s.metrics.StoreRoundTrip(time.Since(start))
	if seen := s.leaseSeen.Load(); time.Since(time.Unix(0, seen)) > s.leaseTTL() {
		return fmt.Errorf("no leader known: the scheduler lease could not be read or renewed for %s", s.leaseTTL())
	}
	if p, ok := s.o.Groups.(brokerPinger); ok {
		if _, err := p.BrokerMetadata(ctx); err != nil {
			return fmt.Errorf("Kafka unreachable: %v", err)
		}
	}
	return nil
}

// noteLease records the outcome of a lease call: any answer from the store
// means a leader is known (this scheduler or another).
func (s *Scheduler) noteLease(err error) {
	s.started.Store(true)
	if err == nil {
		s.leaseSeen.Store(time.Now().UnixNano())
	}
}

func (s *Scheduler) leaseTTL() time.Duration {
	if s.o.LeaseTTL > 0 {
		return s.o.LeaseTTL
	}
	return defaultLeaseTTL
}
