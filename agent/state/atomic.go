// Package state keeps the agent's small files under data_dir: the lock,
// the pipeline stream ids, and atomic file writes.
package state

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile replaces name with data atomically: temp file, fsync, rename,
// fsync of the directory, so a crash leaves the old or the new content.
func WriteFile(name string, data []byte) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory so that entries created or renamed in it last.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// MkdirAll creates dir and its parents with mode 0700.
func MkdirAll(dir string) error {
	return os.MkdirAll(dir, 0o700)
}
