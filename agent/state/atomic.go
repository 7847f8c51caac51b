// Package state keeps the agent's small files under data_dir: the lock,
// the pipeline stream ids, and atomic file writes.
package state

import (
	"os"

	"github.com/auditship/auditship/internal/fsutil"
)

// WriteFile replaces name with data atomically, mode 0600: a crash leaves
// the old or the new content (see fsutil.WriteFile).
func WriteFile(name string, data []byte) error {
	return fsutil.WriteFile(name, data, 0o600)
}

// SyncDir fsyncs a directory so that entries created or renamed in it last.
func SyncDir(dir string) error {
	return fsutil.SyncDir(dir)
}

// MkdirAll creates dir and its parents with mode 0700.
func MkdirAll(dir string) error {
	return os.MkdirAll(dir, 0o700)
}
