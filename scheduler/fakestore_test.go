package scheduler

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/ferryhq/ferry/state"
)

// fakeStore is an in-memory state.Store for tests: no services needed. It
// copies everything in and out, as a real backend would, so tests catch
// shared-map mistakes under -race.
type fakeStore struct {
	mu       sync.Mutex
	conns    map[string]state.ConnectorRecord
	statuses map[taskKey]state.TaskStatus
	epochs   map[taskKey]int64
	puts     int // PutConnector calls
	offsets  map[string]map[string]state.OffsetEntry
	leases   map[string]fakeLease
	members  map[string]map[string]time.Time // group -> member -> expiry
}

// fakeLease is one lease of the fake store: its holder and expiry.
type fakeLease struct {
	holder  string
	expires time.Time
}

func newFakeStore() *fakeStore {
	return &fakeStore{conns: map[string]state.ConnectorRecord{}, statuses: map[taskKey]state.TaskStatus{}, epochs: map[taskKey]int64{}}
}

func cloneRecord(c state.ConnectorRecord) state.ConnectorRecord {
	c.Config = maps.Clone(c.Config)
	tasks := make([]map[string]string, len(c.Tasks))
	for i, t := range c.Tasks {
		tasks[i] = maps.Clone(t)
	}
	if c.Tasks != nil {
		c.Tasks = tasks
	}
	return c
}

func (f *fakeStore) PutConnector(_ context.Context, c state.ConnectorRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	f.conns[c.Name] = cloneRecord(c)
	return nil
}

func (f *fakeStore) Connector(_ context.Context, name string) (state.ConnectorRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[name]
	if !ok {
		return state.ConnectorRecord{}, state.ErrNotFound
	}
	return cloneRecord(c), nil
}

func (f *fakeStore) Connectors(context.Context) ([]state.ConnectorRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []state.ConnectorRecord
	for _, c := range f.conns {
		out = append(out, cloneRecord(c))
	}
	return out, nil
}

func (f *fakeStore) DeleteConnector(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conns[name]; !ok {
		return state.ErrNotFound
	}
	delete(f.conns, name)
	for k := range f.epochs {
		if k.Connector == name {
			delete(f.epochs, k)
		}
	}
	for k := range f.statuses {
		if k.Connector == name {
			delete(f.statuses, k)
		}
	}
	return nil
}

func (f *fakeStore) PutTaskStatus(_ context.Context, s state.TaskStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses[taskKey{s.Connector, s.Task}] = s
	return nil
}

func (f *fakeStore) TaskStatuses(_ context.Context, connector string) ([]state.TaskStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []state.TaskStatus
	for k, s := range f.statuses {
		if k.Connector == connector {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) status(c string, task int) (state.TaskStatus, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.statuses[taskKey{c, task}]
	return s, ok
}

func (f *fakeStore) AcquireLease(_ context.Context, name, holder string, ttl time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leases == nil {
		f.leases = map[string]fakeLease{}
	}
	cur, ok := f.leases[name]
	if ok && cur.holder != holder && time.Now().Before(cur.expires) {
		return false, nil
	}
	f.leases[name] = fakeLease{holder: holder, expires: time.Now().Add(ttl)}
	return true, nil
}

func (f *fakeStore) NextEpoch(_ context.Context, connector string, task int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := taskKey{connector, task}
	f.epochs[k]++
	return f.epochs[k], nil
}

func (f *fakeStore) ReadOffsets(_ context.Context, connector string) ([]state.OffsetEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []state.OffsetEntry
	for _, e := range f.offsets[connector] {
		out = append(out, e)
	}
	return out, nil
}

// CommitOffsets keeps entries by their encoded partition; a nil offset deletes.
func (f *fakeStore) CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []state.OffsetEntry) error {
	if err := f.CheckEpoch(ctx, connector, task, epoch); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offsets == nil {
		f.offsets = map[string]map[string]state.OffsetEntry{}
	}
	if f.offsets[connector] == nil {
		f.offsets[connector] = map[string]state.OffsetEntry{}
	}
	for _, e := range entries {
		k, err := state.OffsetKey(connector, e.Partition)
		if err != nil {
			return err
		}
		if e.Offset == nil {
			delete(f.offsets[connector], string(k))
			continue
		}
		f.offsets[connector][string(k)] = e
	}
	return nil
}

func (f *fakeStore) CheckEpoch(_ context.Context, connector string, task int, epoch int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.epochs[taskKey{connector, task}] != epoch {
		return state.ErrFenced
	}
	return nil
}

func (f *fakeStore) Close() error { return nil }

// SigningKeys and RotateSigningKey complete state.Store; the scheduler's
// tests dispatch through fakes that never sign.
func (f *fakeStore) SigningKeys(context.Context) (state.SigningKeys, error) {
	return state.SigningKeys{}, state.ErrNotFound
}

func (f *fakeStore) RotateSigningKey(context.Context, int64, state.SigningKey) (state.SigningKeys, error) {
	return state.SigningKeys{}, state.ErrNotFound
}

// Members keeps a member list as Redis's store does: expired members drop
// out; a ttl of a millisecond or less leaves.
func (f *fakeStore) Members(_ context.Context, group, holder string, ttl time.Duration) ([]state.Member, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.members == nil {
		f.members = map[string]map[string]time.Time{}
	}
	g := f.members[group]
	if g == nil {
		g = map[string]time.Time{}
		f.members[group] = g
	}
	now := time.Now()
	if ttl <= time.Millisecond {
		delete(g, holder)
	} else {
		g[holder] = now.Add(ttl)
	}
	var out []state.Member
	for m, exp := range g {
		if now.Before(exp) {
			out = append(out, state.Member{Name: m, Left: exp.Sub(now)})
		} else {
			delete(g, m)
		}
	}
	return out, nil
}
