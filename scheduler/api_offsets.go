package scheduler

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// Kafka Connect's answers to offset changes (KIP-875).
const (
	msgAltered = "The offsets for this connector have been altered successfully"
	msgReset   = "The offsets for this connector have been reset successfully"
)

// getOffsets answers GET /connectors/{c}/offsets: source offsets from the
// state store, sink offsets from the consumer group.
func (s *Scheduler) getOffsets(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	rec, err := s.lookup(r.Context(), name, "Connector "+name+" not found")
	if err != nil {
		return 0, nil, err
	}
	if s.connectorType(rec.Config) == "sink" {
		out, err := s.sinkOffsets(r.Context(), sinkGroup(rec.Config))
		return http.StatusOK, out, err
	}
	entries, err := s.o.Store.ReadOffsets(r.Context(), name)
	if err != nil {
		return 0, nil, fmt.Errorf("reading offsets of %s: %w", name, err)
	}
	out := offsetsBody{Offsets: make([]offsetBody, 0, len(entries))}
	for _, e := range entries {
		out.Offsets = append(out.Offsets, offsetBody{Partition: e.Partition, Offset: e.Offset})
	}
	return http.StatusOK, out, nil
}

// alterOffsets answers PATCH /connectors/{c}/offsets on a stopped connector.
func (s *Scheduler) alterOffsets(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	var body struct {
		Offsets []offsetBody `json:"offsets"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		return 0, nil, err
	}
	if len(body.Offsets) == 0 {
		return 0, nil, badRequest("Partitions / offsets need to be provided for an alter offsets request")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.stoppedConnector(r.Context(), name)
	if err != nil {
		return 0, nil, err
	}
	if s.connectorType(rec.Config) == "sink" {
		ch, err := parseSinkOffsets(numbersIn(body.Offsets))
		if err != nil {
			return 0, nil, err
		}
		if err := s.alterSink(r.Context(), sinkGroup(rec.Config), ch); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, messageBody{Message: msgAltered}, nil
	}
	entries, err := sourceEntries(numbersIn(body.Offsets))
	if err != nil {
		return 0, nil, err
	}
	if err := s.commitSourceOffsets(r.Context(), rec, entries); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, messageBody{Message: msgAltered}, nil
}

// resetOffsets answers DELETE /connectors/{c}/offsets on a stopped connector.
func (s *Scheduler) resetOffsets(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.stoppedConnector(r.Context(), name)
	if err != nil {
		return 0, nil, err
	}
	if s.connectorType(rec.Config) == "sink" {
		if err := s.resetSink(r.Context(), sinkGroup(rec.Config)); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, messageBody{Message: msgReset}, nil
	}
	stored, err := s.o.Store.ReadOffsets(r.Context(), name)
	if err != nil {
		return 0, nil, fmt.Errorf("reading offsets of %s: %w", name, err)
	}
	entries := make([]state.OffsetEntry, len(stored))
	for i, e := range stored {
		entries[i] = state.OffsetEntry{Partition: e.Partition}
	}
	if err := s.commitSourceOffsets(r.Context(), rec, entries); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, messageBody{Message: msgReset}, nil
}

// stoppedConnector looks the connector up and refuses unless it is STOPPED
// with no task configs, in Kafka Connect's words.
func (s *Scheduler) stoppedConnector(ctx context.Context, name string) (state.ConnectorRecord, error) {
	rec, err := s.lookup(ctx, name, "Connector "+name+" not found")
	if err != nil {
		return rec, err
	}
	if rec.Target != state.TargetStopped || len(rec.Tasks) > 0 {
		return rec, badRequest("Connectors must be in the STOPPED state before their offsets can be modified. "+
			"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return rec, nil
}

// commitSourceOffsets writes entries with a fresh epoch of task 0 (CommitSourceOffsets).
func (s *Scheduler) commitSourceOffsets(ctx context.Context, rec state.ConnectorRecord, entries []state.OffsetEntry) error {
	return CommitSourceOffsets(ctx, s.o.Store, rec, entries)
}

// CommitSourceOffsets writes a stopped (or not yet created) connector's
// source offsets as PATCH /connectors/{c}/offsets does: it takes a fresh
// epoch for every task the connector may have had, so no invocation that
// outlived the stop can commit over the change, then commits entries with
// task 0's. `ferry migrate standalone` imports offsets through it.
func CommitSourceOffsets(ctx context.Context, store state.Store, rec state.ConnectorRecord, entries []state.OffsetEntry) error {
	tasks := max(connectors.Framework(rec.Config).TasksMax, len(rec.Tasks))
	var epoch int64
	for t := tasks - 1; t >= 0; t-- {
		e, err := store.NextEpoch(ctx, rec.Name, t)
		if err != nil {
			return fmt.Errorf("fencing task %s-%d before changing offsets: %w", rec.Name, t, err)
		}
		epoch = e
	}
	if len(entries) == 0 {
		return nil
	}
	if err := store.CommitOffsets(ctx, rec.Name, 0, epoch, entries); err != nil {
		return fmt.Errorf("writing offsets of %s: %w", rec.Name, err)
	}
	return nil
}

// sourceEntries checks source partitions and offsets: non-null maps of
// primitive values, as Kafka Connect's offsets topic requires.
func sourceEntries(in []offsetBody) ([]state.OffsetEntry, error) {
	out := make([]state.OffsetEntry, 0, len(in))
	for _, e := range in {
		if e.Partition == nil {
			return nil, badRequest("Source partitions may not be null")
		}
		if _, err := state.OffsetKey("", e.Partition); err != nil {
			return nil, badRequest("Invalid source partition %v: %s", e.Partition, err)
		}
		if _, err := state.OffsetValue(e.Offset); err != nil {
			return nil, badRequest("Invalid source offset %v: %s", e.Offset, err)
		}
		out = append(out, state.OffsetEntry{Partition: e.Partition, Offset: e.Offset})
	}
	return out, nil
}

// numbersIn turns the float64 numbers of decoded JSON back into integers
// where they are integral, as Kafka Connect's JSON converter reads them.
func numbersIn(in []offsetBody) []offsetBody {
	fix := func(m map[string]any) map[string]any {
		for k, v := range m {
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				m[k] = int64(f)
			}
		}
		return m
	}
	for i := range in {
		in[i].Partition, in[i].Offset = fix(in[i].Partition), fix(in[i].Offset)
	}
	return in
}
