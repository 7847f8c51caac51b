package file

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/auditship/auditship/internal/fsutil"
	"github.com/auditship/auditship/outputs"
)

// tmpPrefix starts the names of files still being written. A crash can
// leave one behind; it is never a batch and may be deleted.
const tmpPrefix = ".auditship-tmp-"

// put stores what write produces under key, create-only and durably: temp
// file in the target directory, fsync, link(2) to the key (which fails
// rather than replace), then fsync of the directories it changed.
func (o *Output) put(key string, write func(io.Writer) error) error {
	final := filepath.Join(o.dir, filepath.FromSlash(key))
	if !inside(o.dir, final) {
		return outputs.Permanent(fmt.Errorf("key %s leaves directory %s", key, o.dir))
	}
	dir := filepath.Dir(final)
	created, err := mkdirs(o.dir, dir)
	if err != nil {
		o.syncDirs(created)
		return fmt.Errorf("create directory for %s: %w", key, err)
	}
	tmp, sum, err := o.writeTemp(dir, write)
	if err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	err = os.Link(tmp, final)
	os.Remove(tmp)
	switch {
	case errors.Is(err, fs.ErrExist):
		err = o.compare(final, key, sum)
	case err != nil:
		err = fmt.Errorf("link %s: %w", key, err)
	}
	if err != nil {
		return err
	}
	return o.syncDirs(append(created, final))
}

// errCrossDevice means the spool and the archive are on different
// filesystems: the batch is copied instead of linked.
var errCrossDevice = errors.New("spool on another filesystem")

// link stores an already fsynced spool file under key by hard-linking it:
// no copy and no second hash of the bytes. A key already holding the same
// sha256 is an earlier attempt of this batch.
func (o *Output) link(key, spool, sum string) error {
	final := filepath.Join(o.dir, filepath.FromSlash(key))
	if !inside(o.dir, final) {
		return outputs.Permanent(fmt.Errorf("key %s leaves directory %s", key, o.dir))
	}
	created, err := mkdirs(o.dir, filepath.Dir(final))
	if err != nil {
		o.syncDirs(created)
		return fmt.Errorf("create directory for %s: %w", key, err)
	}
	err = os.Link(spool, final)
	switch {
	case errors.Is(err, syscall.EXDEV):
		return errCrossDevice
	case errors.Is(err, fs.ErrExist) && sum == "":
		err = compareBytes(final, spool, key)
	case errors.Is(err, fs.ErrExist):
		want, derr := hex.DecodeString(sum)
		if derr != nil {
			return fmt.Errorf("batch sha256 %q: %w", sum, derr)
		}
		err = o.compare(final, key, want)
	case err != nil:
		err = fmt.Errorf("link %s: %w", key, err)
	}
	if err != nil {
		return err
	}
	return o.syncDirs(append(created, final))
}

// compareBytes decides a link that found its key taken when the batch
// came without a sha256 (its chain's leaves stand for it): the existing
// file must hold the spool's bytes, else it is a key conflict. Only a
// conflict reads the files.
func compareBytes(final, spool, key string) error {
	a, err := os.Open(final)
	if err != nil {
		return fmt.Errorf("read back %s: %w", key, err)
	}
	defer a.Close()
	b, err := os.Open(spool)
	if err != nil {
		return fmt.Errorf("read spool of %s: %w", key, err)
	}
	defer b.Close()
	same, err := sameContent(a, b)
	if err != nil {
		return fmt.Errorf("compare %s with its spool: %w", key, err)
	}
	if !same {
		return outputs.Permanent(fmt.Errorf("key conflict: %s already holds other data than this batch", key))
	}
	return nil
}

// sameContent compares two readers block by block.
func sameContent(a, b io.Reader) (bool, error) {
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, erra := io.ReadFull(a, ba)
		nb, errb := io.ReadFull(b, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA := erra == io.EOF || erra == io.ErrUnexpectedEOF
		endB := errb == io.EOF || errb == io.ErrUnexpectedEOF
		switch {
		case endA && endB:
			return true, nil
		case endA != endB:
			return false, nil
		case erra != nil:
			return false, erra
		case errb != nil:
			return false, errb
		}
	}
}

func (o *Output) writeTemp(dir string, write func(io.Writer) error) (string, []byte, error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*") // mode 0600
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	err = write(io.MultiWriter(f, h))
	if err == nil {
		err = o.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", nil, err
	}
	return f.Name(), h.Sum(nil), nil
}

// compare decides a link that found its key taken: the same bytes are an
// earlier attempt of this batch; anything else is a key conflict.
func (o *Output) compare(final, key string, ours []byte) error {
	f, err := os.Open(final)
	if err != nil {
		return fmt.Errorf("read back %s: %w", key, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read back %s: %w", key, err)
	}
	if theirs := h.Sum(nil); !bytes.Equal(theirs, ours) {
		return outputs.Permanent(fmt.Errorf("key conflict: %s already holds other data (sha256 %x, this batch %x)",
			key, theirs, ours))
	}
	return nil
}

// syncDirs fsyncs the parent directory of each path, deepest first, so that
// the new entries survive a power loss.
func (o *Output) syncDirs(paths []string) error {
	for i := len(paths) - 1; i >= 0; i-- {
		if err := o.syncDir(filepath.Dir(paths[i])); err != nil {
			return fmt.Errorf("sync directory: %w", err)
		}
	}
	return nil
}

// mkdirs creates the missing directories from root (excluded: it must
// exist) down to dir, mode 0700, and returns those it created.
func mkdirs(root, dir string) ([]string, error) {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil, nil
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." {
		return nil, err
	}
	var created []string
	cur := root
	for _, seg := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, seg)
		err := os.Mkdir(cur, 0o700)
		if err == nil {
			created = append(created, cur)
		} else if !errors.Is(err, fs.ErrExist) {
			return created, err
		}
	}
	return created, nil
}

// inside reports whether path lies strictly below root.
func inside(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// syncDir is the default Output.syncDir (file.go) and what its test hook
// calls through to.
func syncDir(dir string) error { return fsutil.SyncDir(dir) }
