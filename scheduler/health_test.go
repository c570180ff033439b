package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
	"github.com/twmb/franz-go/pkg/kadm"
)

// downStore is a store whose reads fail, as Redis does while it is stopped.
type downStore struct{ *fakeStore }

func (downStore) Connector(context.Context, string) (state.ConnectorRecord, error) {
	return state.ConnectorRecord{}, errors.New("dial tcp 127.0.0.1:6390: connect: connection refused")
}

// pingGroups is fakeGroups with a broker metadata call that fails when err is set.
type pingGroups struct {
	fakeGroups
	err error
}

func (g *pingGroups) BrokerMetadata(context.Context) (kadm.Metadata, error) {
	return kadm.Metadata{}, g.err
}

// TestHealth checks GET /health's answer for each cause KIP-1017 and the
// issue name: before startup, store down, no leader known, Kafka down, healthy.
func TestHealth(t *testing.T) {
	healthy := `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`
	tests := []struct {
		name      string
		store     state.Store
		started   bool
		leaseAge  time.Duration
		kafkaDown bool
		code      int
		body      string
	}{
		{name: "starting", store: newFakeStore(), code: 503,
			body: `{"status":"starting","message":"Worker is still starting up: the scheduler has not reached its state store yet."}`},
		{name: "healthy", store: newFakeStore(), started: true, code: 200, body: healthy},
		{name: "store down", store: downStore{newFakeStore()}, started: true, code: 503,
			body: `{"status":"unhealthy","message":"state store unreachable: dial tcp 127.0.0.1:6390: connect: connection refused"}`},
		{name: "no leader known", store: newFakeStore(), started: true, leaseAge: time.Minute, code: 503,
			body: `{"status":"unhealthy","message":"no leader known: the scheduler lease could not be read or renewed for 10s"}`},
		{name: "kafka down", store: newFakeStore(), started: true, kafkaDown: true, code: 503,
			body: `{"status":"unhealthy","message":"Kafka unreachable: unable to dial: dial tcp 127.0.0.1:9: connect: connection refused"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestScheduler(t, newFakeStore(), nil)
			s.o.Store = tt.store
			g := &pingGroups{fakeGroups: fakeGroups{offsets: kadm.Offsets{}}}
			if tt.kafkaDown {
				g.err = errors.New("unable to dial: dial tcp 127.0.0.1:9: connect: connection refused")
			}
			s.o.Groups = g
			if tt.started {
				s.noteLease(nil)
				s.leaseSeen.Store(time.Now().Add(-tt.leaseAge).UnixNano())
			}
			code, body, _ := call(t, s.Handler(), "GET", "/health", "")
			if code != tt.code || body != tt.body {
				t.Errorf("GET /health\n got %d %s\nwant %d %s", code, body, tt.code, tt.body)
			}
		})
	}
}
