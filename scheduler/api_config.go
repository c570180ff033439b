package scheduler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/ferryhq/ferry/state"
)

// patchMap is the body of PATCH /connectors/{c}/config: string, number or
// boolean values set a key, null removes it (KIP-477).
type patchMap map[string]*string

// UnmarshalJSON implements json.Unmarshaler.
func (p *patchMap) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(patchMap, len(raw))
	for k, v := range raw {
		if string(bytes.TrimSpace(v)) == "null" {
			out[k] = nil
			continue
		}
		s, err := scalarText(v)
		if err != nil {
			return fmt.Errorf("config value of %q %w", k, err)
		}
		out[k] = &s
	}
	*p = out
	return nil
}

// patchConfig answers PATCH /connectors/{c}/config: the stored config merged
// with the patch is validated and stored like a PUT; the connector must exist.
func (s *Scheduler) patchConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	var patch patchMap
	if err := decodeBody(w, r, &patch); err != nil {
		return 0, nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	prev, err := s.lookup(r.Context(), name, "Connector "+name+" not found")
	if err != nil {
		return 0, nil, err
	}
	merged := maps.Clone(prev.Config)
	for k, v := range patch {
		if v == nil {
			delete(merged, k)
			continue
		}
		merged[k] = *v
	}
	config, err := withName(merged, name)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.validate(config)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.upsert(r.Context(), p, name, config, prev.Target, &prev)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.info(rec), nil
}

// stop answers PUT /connectors/{c}/stop (KIP-875): the connector keeps its
// config but loses its task configs and shows STOPPED; idempotent, 204.
func (s *Scheduler) stop(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, err := s.lookup(r.Context(), name, "Unknown connector "+name)
	if err != nil {
		return 0, nil, err
	}
	if rec.Target == state.TargetStopped && len(rec.Tasks) == 0 {
		return http.StatusNoContent, nil, nil
	}
	rec.Target, rec.Tasks = state.TargetStopped, nil
	rec.Generation++
	if err := s.o.Store.PutConnector(r.Context(), rec); err != nil {
		return 0, nil, fmt.Errorf("storing target state of %s: %w", name, err)
	}
	s.setConnectorFailure(name, "")
	s.notify(event{kind: eventDelete, key: taskKey{Connector: name}})
	return http.StatusNoContent, nil, nil
}
