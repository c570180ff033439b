//go:build !unix

package file

import (
	"fmt"
	"os"
)

// lockDir creates dir/LOCK exclusively where flock is unavailable; a stale
// LOCK left by a crash must then be removed by hand.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(lockPath(dir), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return nil, fmt.Errorf("state directory %s is in use by another ferry process (remove %s if none runs): %w", dir, lockPath(dir), ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("lock state directory %s: %w", dir, err)
	}
	return f, nil
}

// unlockDir releases the lock taken by lockDir by removing the LOCK file.
func unlockDir(f *os.File) error {
	err := f.Close()
	if rmErr := os.Remove(f.Name()); err == nil {
		err = rmErr
	}
	return err
}
