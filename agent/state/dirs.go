// Package state keeps the agent's small files under data_dir: the lock
// and the pipeline stream ids. Atomic writes live in internal/fsutil.
package state

import "os"

// MkdirAll creates dir and its parents with mode 0700.
func MkdirAll(dir string) error {
	return os.MkdirAll(dir, 0o700)
}
