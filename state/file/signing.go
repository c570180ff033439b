package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ferryhq/ferry/state"
)

// signingFile holds the invocation signing keys, readable by the owner only
// (the temp file persist writes is created 0600).
const signingFile = "signing.json"

// loadSigning reads the signing keys; a missing file means none yet.
func (s *Store) loadSigning() error {
	path := filepath.Join(s.dir, signingFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state file %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &s.signing); err != nil {
		return fmt.Errorf("state file %s is corrupt (remove it: the scheduler makes a new key): %w", path, err)
	}
	return nil
}

// SigningKeys returns the stored keys, state.ErrNotFound before the first rotation.
func (s *Store) SigningKeys(ctx context.Context) (state.SigningKeys, error) {
	if err := s.begin(); err != nil {
		return state.SigningKeys{}, err
	}
	defer s.mu.Unlock()
	if s.signing.Current.Generation == 0 {
		return state.SigningKeys{}, fmt.Errorf("invocation signing key: %w", state.ErrNotFound)
	}
	return s.signing, nil
}

// RotateSigningKey installs next iff the current generation is still after.
func (s *Store) RotateSigningKey(ctx context.Context, after int64, next state.SigningKey) (state.SigningKeys, error) {
	if err := s.begin(); err != nil {
		return state.SigningKeys{}, err
	}
	defer s.mu.Unlock()
	if s.signing.Current.Generation != after {
		return s.signing, nil
	}
	old := s.signing
	s.signing = old.Rotated(next)
	if err := s.persist(func() { s.signing = old }, signingFile); err != nil {
		return state.SigningKeys{}, err
	}
	return s.signing, nil
}
