package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/connectfile"
)

// Imported is what Import wrote for one connector.
type Imported struct {
	Connector string
	// Offsets counts the partitions written, Resets those written as null
	// (reset: the connector starts them from the beginning).
	Offsets, Resets int
}

// Import writes the source offsets of a connect-standalone offsets file
// into store, one connector at a time, as PATCH /connectors/{c}/offsets
// would: each connector must be absent from store (create it afterwards) or
// STOPPED. It refuses before writing anything when one is running.
func Import(ctx context.Context, store state.Store, conns []connectfile.Connector) ([]Imported, error) {
	recs := make([]state.ConnectorRecord, len(conns))
	for i, c := range conns {
		rec, err := store.Connector(ctx, c.Name)
		switch {
		case errors.Is(err, state.ErrNotFound):
			rec = state.ConnectorRecord{Name: c.Name}
		case err != nil:
			return nil, fmt.Errorf("looking up connector %s in the store: %w", c.Name, err)
		case rec.Target != state.TargetStopped || len(rec.Tasks) > 0:
			return nil, fmt.Errorf("connector %s exists in the ferry store and is %s: stop it first (PUT /connectors/%s/stop), "+
				"then import again; nothing was imported", c.Name, rec.Target, c.Name)
		}
		recs[i] = rec
	}
	out := make([]Imported, 0, len(conns))
	for i, c := range conns {
		if err := scheduler.CommitSourceOffsets(ctx, store, recs[i], c.Entries); err != nil {
			return out, fmt.Errorf("importing the offsets of %s: %w", c.Name, err)
		}
		im := Imported{Connector: c.Name}
		for _, e := range c.Entries {
			if e.Offset == nil {
				im.Resets++
			} else {
				im.Offsets++
			}
		}
		out = append(out, im)
	}
	return out, nil
}
