package redis

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/ferryhq/ferry/state"
)

// decodedConnectors keeps each connector record as last decoded, with the
// digest of the JSON it came from. A scheduler re-reads every connector
// whenever one changed (10,000 records each second while connectors are
// being created); a record whose JSON did not change is handed out again
// instead of decoded into new maps, so the scheduler's view, its dispatch
// loop and the REST API share one copy of each (read-only, as state.Configs
// says) and a re-read leaves little garbage.
type decodedConnectors struct {
	mu   sync.Mutex
	recs map[string]decodedConnector
}

type decodedConnector struct {
	sum [sha256.Size]byte
	rec state.ConnectorRecord
}

// decode returns the record in data, stored under name; next (when not nil)
// collects what a full read keeps.
func (d *decodedConnectors) decode(name string, data []byte, next map[string]decodedConnector) (state.ConnectorRecord, error) {
	sum := sha256.Sum256(data)
	d.mu.Lock()
	cached, ok := d.recs[name]
	d.mu.Unlock()
	if !ok || cached.sum != sum {
		var c state.ConnectorRecord
		if err := json.Unmarshal(data, &c); err != nil {
			return state.ConnectorRecord{}, fmt.Errorf("connector %s in redis is corrupt: %w", name, err)
		}
		cached = decodedConnector{sum: sum, rec: c}
	}
	if next != nil {
		next[name] = cached
	} else {
		d.set(name, cached, true)
	}
	return cached.rec, nil
}

// set keeps (or with keep false, forgets) one connector's record.
func (d *decodedConnectors) set(name string, c decodedConnector, keep bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !keep {
		delete(d.recs, name)
		return
	}
	if d.recs == nil {
		d.recs = map[string]decodedConnector{}
	}
	d.recs[name] = c
}

// replace keeps exactly the records of a full read.
func (d *decodedConnectors) replace(next map[string]decodedConnector) {
	d.mu.Lock()
	d.recs = next
	d.mu.Unlock()
}
