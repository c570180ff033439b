package scheduler

import (
	"context"
	"encoding/json"
	"sync"
)

// statusRevisioner is a store that counts changes to task statuses.
type statusRevisioner interface {
	StatusesRevision(ctx context.Context) (int64, error)
}

// listKey names one rendering of GET /connectors with expansions: what it
// was built from. Split failures live in this process (failures).
type listKey struct {
	connectors, statuses, failures int64
	status, info                   bool
}

// listCache keeps the last rendered expanded list: a dashboard polling
// GET /connectors?expand=status over 10,000 idle connectors gets the same
// bytes without the statuses being read and encoded again.
type listCache struct {
	mu   sync.Mutex
	ok   bool
	key  listKey
	body rawJSON
}

// rawJSON is an answer already encoded, written as it is.
type rawJSON []byte

// listKeyNow reads the store's revisions; ok is false when the store has
// none (every request is rendered).
func (s *Scheduler) listKeyNow(ctx context.Context, status, info bool) (listKey, bool) {
	cr, ok1 := s.o.Store.(revisioner)
	sr, ok2 := s.o.Store.(statusRevisioner)
	if !ok1 || !ok2 {
		return listKey{}, false
	}
	conns, err := cr.ConnectorsRevision(ctx)
	if err != nil {
		return listKey{}, false
	}
	statuses, err := sr.StatusesRevision(ctx)
	if err != nil {
		return listKey{}, false
	}
	return listKey{connectors: conns, statuses: statuses, failures: s.failures.Load(), status: status, info: info}, true
}

// cachedList returns the rendering made under key, if it is the last one.
func (s *Scheduler) cachedList(key listKey) (rawJSON, bool) {
	c := &s.lists
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.body, c.ok && c.key == key
}

// keepList encodes out and keeps it under key (read before the data, so a
// change in between is rendered again by the next request).
func (s *Scheduler) keepList(key listKey, cacheable bool, out any) (rawJSON, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if cacheable {
		c := &s.lists
		c.mu.Lock()
		c.ok, c.key, c.body = true, key, b
		c.mu.Unlock()
	}
	return b, nil
}
