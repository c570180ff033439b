package statetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/state"
)

func key(gen int64) state.SigningKey {
	return state.SigningKey{Generation: gen, Secret: []byte(fmt.Sprintf("secret-%02d-0123456789abcdefghij", gen)),
		Created: time.Date(2026, 12, 5, 12, int(gen), 0, 0, time.UTC)}
}

func sameKey(a, b state.SigningKey) bool {
	return a.Generation == b.Generation && bytes.Equal(a.Secret, b.Secret) && a.Created.Equal(b.Created)
}

// testSigning: no key until the first rotation; each rotation keeps the
// replaced key as previous; a rotation from a stale generation changes nothing.
func testSigning(t *testing.T, open Opener) {
	s := fresh(t, open)
	if _, err := s.SigningKeys(ctx(t)); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("SigningKeys of a new store = %v, want state.ErrNotFound", err)
	}
	steps := []struct {
		name      string
		after     int64
		next      state.SigningKey
		wantCur   int64
		wantPrev  int64 // 0: none
		installed bool
	}{
		{"first key", 0, key(1), 1, 0, true},
		{"stale first key changes nothing", 0, key(9), 1, 0, false},
		{"rotation keeps the previous key", 1, key(2), 2, 1, true},
		{"stale rotation changes nothing", 1, key(8), 2, 1, false},
		{"second rotation drops the oldest", 2, key(3), 3, 2, true},
	}
	for _, st := range steps {
		got, err := s.RotateSigningKey(ctx(t), st.after, st.next)
		must(t, err)
		read, err := s.SigningKeys(ctx(t))
		must(t, err)
		for _, k := range []state.SigningKeys{got, read} {
			if k.Current.Generation != st.wantCur || (k.Previous == nil) != (st.wantPrev == 0) ||
				(k.Previous != nil && !sameKey(*k.Previous, key(st.wantPrev))) || !sameKey(k.Current, key(st.wantCur)) {
				t.Fatalf("%s: keys %+v, want current %d, previous %d", st.name, k, st.wantCur, st.wantPrev)
			}
		}
	}
}

// testConcurrentRotation: schedulers racing to rotate from one generation
// install exactly one key, and every one of them is told which.
func testConcurrentRotation(t *testing.T, open Opener) {
	s := fresh(t, open)
	_, err := s.RotateSigningKey(ctx(t), 0, key(1))
	must(t, err)
	const racers = 8
	got := make([]state.SigningKeys, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			next := key(2)
			next.Secret = []byte(fmt.Sprintf("racer-%d-0123456789abcdefghijklmn", i))
			got[i], errs[i] = s.RotateSigningKey(ctx(t), 1, next)
		})
	}
	wg.Wait()
	stored, err := s.SigningKeys(ctx(t))
	must(t, err)
	for i := range racers {
		must(t, errs[i])
		if !sameKey(got[i].Current, stored.Current) || got[i].Previous == nil || got[i].Previous.Generation != 1 {
			t.Fatalf("racer %d was told %+v; the store holds %+v", i, got[i], stored)
		}
	}
}
