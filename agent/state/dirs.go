// Package state keeps the agent's small files under data_dir: the lock
// and the pipeline stream ids. Atomic writes live in internal/fsutil.
package state

import (
	"net/url"
	"os"
	"path/filepath"
)

// MkdirAll creates dir and its parents with mode 0700.
func MkdirAll(dir string) error {
	return os.MkdirAll(dir, 0o700)
}

// PipelineDir is where a pipeline keeps its state under data_dir: its
// buffer, stream id, and one directory per input and per output.
func PipelineDir(dataDir, name string) string {
	return filepath.Join(dataDir, "pipelines", url.PathEscape(name))
}
