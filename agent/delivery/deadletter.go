package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/internal/fsutil"
)

// deadLetter keeps a batch the store refused for its content (or a spool
// file the journal lost track of): a copy of its spooled bytes goes to the
// output's deadletter/ directory, then a line describing it (journal entry,
// error, time) is appended to deadletter/index.jsonl and fsynced. The
// caller deletes the spool file only after that (and after the batch's
// "done" line): a crash at any point leaves the batch pending, or kept
// there with its index line. A repeated attempt after a crash finds the
// copy in place and does not index it twice.
func (s *Sender) deadLetter(e *batchEntry, cause error) error {
	dir := filepath.Join(filepath.Dir(s.spoolDir), "deadletter")
	if err := state.MkdirAll(dir); err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	again, err := placeCopy(filepath.Join(s.spoolDir, e.Spool), filepath.Join(dir, e.Spool))
	if err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	index := filepath.Join(dir, "index.jsonl")
	if again && indexHas(index, e.ID) {
		return nil
	}
	if err := appendIndex(index, e, nil, cause); err != nil {
		return fmt.Errorf("dead-letter index: %w", err)
	}
	s.m.deadLettered.Add(float64(e.Count))
	return nil
}

// placeCopy puts src's bytes at dst (a hard link, else a copy), durably.
// It reports whether dst was already there from an earlier attempt.
func placeCopy(src, dst string) (bool, error) {
	err := os.Link(src, dst)
	switch {
	case errors.Is(err, os.ErrExist):
		return true, nil
	case err != nil:
		err = copyFile(src, dst)
	}
	if err == nil {
		err = fsutil.SyncDir(filepath.Dir(dst))
	}
	return false, err
}

// appendIndex appends a dead-letter index line (the batch's journal entry,
// the refused lines if only some were, the error, the time) and fsyncs it.
func appendIndex(path string, e *batchEntry, lines []int, cause error) error {
	line, _ := json.Marshal(struct {
		*batchEntry
		Lines []int     `json:"lines,omitempty"`
		Error string    `json:"error"`
		At    time.Time `json:"at"`
	}{e, lines, cause.Error(), time.Now().UTC()})
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsutil.SyncDir(filepath.Dir(path))
	}
	return err
}

// indexHas reports whether the dead-letter index already names batch id.
func indexHas(path, id string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	q, _ := json.Marshal(id)
	return bytes.Contains(b, append([]byte(`"id":`), q...))
}

// copyAside keeps a copy of a damaged state file before it is rewritten:
// <dir>/corrupt/<name>.<unix time>.
func copyAside(path string, now time.Time) (string, error) {
	cdir := filepath.Join(filepath.Dir(path), "corrupt")
	if err := state.MkdirAll(cdir); err != nil {
		return "", err
	}
	dst := filepath.Join(cdir, fmt.Sprintf("%s.%d", filepath.Base(path), now.Unix()))
	if err := copyFile(path, dst); err != nil {
		return "", err
	}
	return dst, fsutil.SyncDir(cdir)
}

// copyFile copies src to dst through a temporary file, fsynced before the
// rename: dst never holds a partial copy.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeVia(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// writeVia writes dst with fill through a temporary file, fsynced before
// the rename: dst never holds a partial file.
func writeVia(dst string, fill func(io.Writer) error) error {
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = fill(out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	return err
}
