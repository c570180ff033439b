package signing

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
)

// TestSignerRotates: the first Sign makes a key; a key older than the ttl is
// rotated; a payload signed with the first key is accepted while it is the
// previous key and refused once it is two keys old.
func TestSignerRotates(t *testing.T) {
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	s := NewSigner(store, time.Hour)
	s.now = func() time.Time { return now }
	v := NewVerifier(store)
	epoch, err := store.NextEpoch(t.Context(), "c", 0)
	if err != nil {
		t.Fatal(err)
	}
	inv := wire.Invocation{ID: "c-0-1", Connector: "c", Epoch: epoch, Class: "X", Config: map[string]string{}}
	var first []byte
	steps := []struct {
		name     string
		advance  time.Duration
		wantGen  int64
		firstErr error // what the payload signed with generation 1 gets now
	}{
		{"first key", 0, 1, nil},
		{"within the ttl", 59 * time.Minute, 1, nil},
		{"rotated after the ttl: the first key is the previous one", 2 * time.Minute, 2, nil},
		{"rotated again: the first key is gone", time.Hour, 3, wire.ErrBadSignature},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		payload, err := s.Sign(t.Context(), inv)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = payload
		}
		keys, err := store.SigningKeys(t.Context())
		if err != nil || keys.Current.Generation != st.wantGen {
			t.Fatalf("%s: stored generation %d, %v; want %d", st.name, keys.Current.Generation, err, st.wantGen)
		}
		v.fetched = time.Time{} // as after keyRefresh
		if _, err := v.Open(t.Context(), payload); err != nil {
			t.Fatalf("%s: the fresh payload is rejected: %v", st.name, err)
		}
		if _, err := v.Open(t.Context(), first); !errors.Is(err, st.firstErr) {
			t.Fatalf("%s: payload of generation 1 = %v, want %v", st.name, err, st.firstErr)
		}
	}
}

// TestWorkerAdmitsOnlySignedCurrentInvocations is the regression test of

// swapStore holds keys a test replaces, as a state store that was reset.
type swapStore struct{ keys state.SigningKeys }

func (s *swapStore) SigningKeys(context.Context) (state.SigningKeys, error) { return s.keys, nil }

func (s *swapStore) CheckEpoch(context.Context, string, int, int64) error { return nil }

// TestVerifierSeesAResetStore: after the store is reset, a new key under an
// already cached generation is read again instead of refusing the scheduler.
func TestVerifierSeesAResetStore(t *testing.T) {
	now := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	key := func(secret string) state.SigningKey {
		return state.SigningKey{Generation: 1, Secret: []byte(secret), Created: now}
	}
	store := &swapStore{keys: state.SigningKeys{Current: key("before-the-reset")}}
	v := NewVerifier(store)
	v.now = func() time.Time { return now }
	inv := wire.Invocation{ID: "c-0-1", Connector: "c", Epoch: 1, Class: "X"}
	old, _ := wire.Sign(inv, wire.Key{Generation: 1, Secret: []byte("before-the-reset")})
	if _, err := v.Open(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	store.keys = state.SigningKeys{Current: key("after-the-reset")}
	now = now.Add(2 * keyRefresh)
	fresh, _ := wire.Sign(inv, wire.Key{Generation: 1, Secret: []byte("after-the-reset")})
	if _, err := v.Open(t.Context(), fresh); err != nil {
		t.Fatalf("payload signed with the reset store's key: %v", err)
	}
	if _, err := v.Open(t.Context(), old); !errors.Is(err, wire.ErrBadSignature) {
		t.Fatalf("payload signed with the key from before the reset = %v, want ErrBadSignature", err)
	}
}

// TestVerifierRefusesExpiredAndReplayed: a signed invocation whose deadline
// has passed, or one already admitted on this host, is refused as fenced.
// An idle task reuses its epoch once its last invocation's deadline is well
// past, so without these checks a replayed old payload would pass the epoch
// fence and run again.
func TestVerifierRefusesExpiredAndReplayed(t *testing.T) {
	now := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	store := &swapStore{keys: state.SigningKeys{Current: state.SigningKey{Generation: 1, Secret: []byte("k"), Created: now}}}
	v := NewVerifier(store)
	v.now = func() time.Time { return now }
	sign := func(id string, deadline time.Time) []byte {
		p, err := wire.Sign(wire.Invocation{ID: id, Connector: "c", Epoch: 7, Class: "X", Deadline: deadline}, wire.Key{Generation: 1, Secret: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		payload []byte
		want    error // nil: admitted
	}{
		{"fresh", sign("c-0-7-a", now.Add(10*time.Second)), nil},
		{"the same payload again", sign("c-0-7-a", now.Add(10*time.Second)), ErrReplayed},
		{"deadline passed", sign("c-0-7-b", now.Add(-time.Second)), ErrExpired},
		{"another fresh invocation", sign("c-0-7-c", now.Add(10*time.Second)), nil},
	}
	for _, tt := range tests {
		_, err := v.Open(t.Context(), tt.payload)
		if tt.want == nil && err != nil || tt.want != nil && (!errors.Is(err, tt.want) || !errors.Is(err, state.ErrFenced)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	now = now.Add(11 * time.Second) // past the first one's deadline: expired, not replayed
	if _, err := v.Open(t.Context(), sign("c-0-7-a", now.Add(-time.Second))); !errors.Is(err, ErrExpired) {
		t.Errorf("after its deadline: %v, want ErrExpired", err)
	}
}

// TestReplayMemoryDropsExpiredIDs: the ids of invocations whose deadline
// passed leave the replay memory as it grows, so it holds about twice the
// ids that may still run instead of filling to maxSeen; an id still live
// is refused again after a sweep.
func TestReplayMemoryDropsExpiredIDs(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	v := NewVerifier(&swapStore{})
	v.now = func() time.Time { return now }
	admit := func(id string) error {
		return v.admitOnce(wire.Invocation{ID: id, Deadline: now.Add(30 * time.Second)})
	}
	for round := range 20 {
		for i := range 1000 {
			if err := admit(fmt.Sprintf("r%d-%d", round, i)); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Minute) // every id so far expired
	}
	if err := admit("live"); err != nil {
		t.Fatal(err)
	}
	if n := len(v.seen); n > 4000 {
		t.Fatalf("replay memory holds %d ids after 20 rounds of 1,000 expired ones", n)
	}
	for i := range 4000 {
		if err := admit(fmt.Sprintf("more-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := admit("live"); !errors.Is(err, ErrReplayed) {
		t.Fatalf("a live id admitted again after sweeps: %v", err)
	}
}
