//go:build integration

package kafka

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/kafka/kafkatest"
)

// TestBrokerRestart: a store keeps working across a restart of its only
// broker: while the broker is down every call fails retriable (never
// silently), and afterwards the same Store reads what was written before,
// takes the next epoch, commits, and leads again.
func TestBrokerRestart(t *testing.T) {
	b := kafkatest.Start(t)
	o := Options{Seeds: b.Seeds(), GroupID: "restart", Topics: Topics{ConfigRF: 1, OffsetsRF: 1, StatusRF: 1}}
	s := open(t, o)
	defer s.Close()
	ctx := context.Background()
	rec := state.ConnectorRecord{Name: "c", Config: map[string]string{"connector.class": "FileStreamSource"},
		Target: state.TargetRunning, Tasks: []map[string]string{{"task.class": "T"}}, Generation: 1}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutConnector(ctx, rec))
	e1, err := s.NextEpoch(ctx, "c", 0)
	must(err)
	must(s.CommitOffsets(ctx, "c", 0, e1, offsetAt(1)))
	waitLead(t, s)

	b.Stop()
	down, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err = s.Connector(down, "c")
	cancel()
	var r *connectors.RetriableError
	if !errors.As(err, &r) {
		t.Fatalf("reading with the broker down = %v, want a retriable error", err)
	}

	b.Run()
	retry := func(what string, f func(context.Context) error) {
		t.Helper()
		var err error
		for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = f(c)
			cancel()
			if err == nil {
				return
			}
		}
		t.Fatalf("%s after the restart: %v", what, err)
	}
	retry("reading the connector", func(c context.Context) error {
		got, err := s.Connector(c, "c")
		if err == nil && (got.Generation != 1 || len(got.Tasks) != 1) {
			return fmt.Errorf("connector after the restart = %+v", got)
		}
		return err
	})
	var e2 int64
	retry("the next epoch", func(c context.Context) (err error) { e2, err = s.NextEpoch(c, "c", 0); return err })
	if e2 != e1+1 {
		t.Fatalf("epoch after the restart = %d, want %d", e2, e1+1)
	}
	if err := s.CommitOffsets(ctx, "c", 0, e1, offsetAt(9)); !errors.Is(err, state.ErrFenced) {
		t.Fatalf("commit with the epoch from before the restart = %v, want fenced", err)
	}
	retry("committing", func(c context.Context) error { return s.CommitOffsets(c, "c", 0, e2, offsetAt(2)) })
	got, err := s.ReadOffsets(ctx, "c")
	if err != nil || len(got) != 1 || got[0].Offset["position"] != int64(2) {
		t.Fatalf("offsets after the restart = %v, %v", got, err)
	}
	waitLead(t, s)
}

// waitLead waits until s holds the scheduler lease.
func waitLead(t *testing.T, s *Store) {
	t.Helper()
	for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if l, err := s.AcquireLease(context.Background(), "scheduler", "me", 6*time.Second); err == nil && l {
			return
		}
	}
	t.Fatal("the store never led")
}
