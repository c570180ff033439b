package signing

import (
	"errors"
	"testing"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state/file"
)

// testStore opens a file state store in a temporary directory.
func testStore(tb testing.TB) *file.Store {
	tb.Helper()
	s, err := file.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestSignerRotates: the first Sign makes a key; a key older than the ttl is
// rotated; a payload signed with the first key is accepted while it is the
// previous key and refused once it is two keys old.
func TestSignerRotates(t *testing.T) {
	store := testStore(t)
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
