package file

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/auditship/auditship/inputs/record"
)

// fileID is a file's device and inode: it only breaks ties between equal
// fingerprints and follows a file across renames while it is tracked.
type fileID struct{ dev, ino uint64 }

func idOf(fi os.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino} //nolint:unconvert // Dev differs by platform
}

// tfile is a file being tracked: its identity's rec, where it is, and the
// read state. Only the Read goroutine touches it.
type tfile struct {
	r         *rec
	home      string // path where it was discovered; elsewhere means rotated
	path      string // where it is now
	id        fileID
	size      int64 // at the last scan
	f         *os.File
	fr        *record.Framer // nil until opened, and after End
	off       int64          // next byte to read
	end       int64          // the framer's checkpoint at End
	eof       bool           // the last read hit the end; wait for news
	gone      bool           // rotated, moved or deleted: read to its end, then End
	goneAt    time.Time
	truncated bool      // copytruncate seen; replaced by a new tfile
	finalDue  bool      // emit End and close at the next pull
	retired   bool      // truncated: done once ended
	done      bool      // ended and closed for good: drop from the list
	flushAt   time.Time // multi-line flush deadline
	sid       []byte    // source id, fixed when the file was identified
	key       string    // Source.Key: hex of sid
	resume    int64     // records ending at or before it are already in the buffer
}

// open opens t at its path and checks that the path still holds it.
func (t *tfile) open(cfg record.Config) error {
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && idOf(fi) != t.id {
		err = fmt.Errorf("open %s: replaced", t.path)
	}
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.eof = f, false
	if t.fr == nil {
		t.fr = record.New(cfg, t.off)
	}
	return nil
}

// close releases the descriptor and keeps the read state.
func (t *tfile) close() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// read reads one chunk at t.off into buf. It reports the bytes read; t.eof
// is set when the file had no more.
func (t *tfile) read(buf []byte) (int, error) {
	n, err := t.f.ReadAt(buf, t.off)
	t.off += int64(n)
	if errors.Is(err, io.EOF) || n < len(buf) {
		t.eof, err = true, nil
	}
	return n, err
}

// sourceIDOf is the source id of a file (SPEC §4): the SHA-256 of its
// first complete line, terminator excluded. ok is false while the file has
// no complete line: it has no identity yet. head is the file's first bytes,
// which usually hold the whole line.
func sourceIDOf(name string, head []byte) (sid []byte, ok bool, err error) {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		s := sha256.Sum256(head[:i])
		return s[:], true, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	return firstLineID(f)
}

// firstLineID hashes f's first line as it reads it, in blocks: a first
// line longer than any buffer is still hashed whole.
func firstLineID(f *os.File) ([]byte, bool, error) {
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			h.Write(buf[:i])
			return h.Sum(nil), true, nil
		}
		h.Write(buf[:n])
		off += int64(n)
		if errors.Is(err, io.EOF) || n == 0 {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// lastLineEnd is the offset just past the last newline before size,
// searched back at most limit bytes: start_at = "end" starts there so that
// a line being written is read whole.
func lastLineEnd(f *os.File, size, limit int64) int64 {
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 && size-end < limit {
		start := max(end-int64(len(buf)), 0)
		n, _ := f.ReadAt(buf[:end-start], start)
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1
		}
		end = start
	}
	if end == 0 {
		return 0 // one line, still being written
	}
	return size
}
