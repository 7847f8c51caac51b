// Package fsutil holds the two durable filesystem steps the agent repeats:
// fsync of a directory and an atomic file replace. It imports nothing of
// auditship.
package fsutil

import (
	"fmt"
	"os"
	"path/filepath"
)

// SyncDir fsyncs a directory so that entries created, renamed or removed
// in it survive a power loss. Its errors are *fs.PathError naming dir.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = Sync(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteFile replaces name with data atomically: a temp file in the same
// directory, write, fsync, close, rename over name, fsync of the directory.
// A crash leaves the old content or the new one, never a mix; the temp
// file is removed on error. perm is the mode of the new file.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	tmp, err := writeTemp(dir, filepath.Base(name), data, perm)
	if err == nil {
		err = os.Rename(tmp, name)
		if err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return SyncDir(dir)
}

// writeTemp writes data to a fsynced temp file beside base and returns its
// name; on error nothing is left behind.
func writeTemp(dir, base string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = Sync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
