package file

import (
	"testing"

	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/statetest"
)

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkCommitOffsets(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	statetest.BenchCommitOffsets(b, s)
}

func BenchmarkNextEpoch(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	statetest.BenchNextEpoch(b, s)
}
