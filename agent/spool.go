package agent

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/outputs/objectstore"
)

// openPrefix names spool files of batches still open: a crash leaves them
// behind unjournaled, and they are deleted at start (the cursor re-reads
// their events from the buffer).
const openPrefix = "open-"

// spoolFile streams an open batch's rendered envelopes to disk, so that a
// batch of 64 MiB costs a 32 KiB buffer in memory, not 64 MiB.
type spoolFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	h    hash.Hash // over the ndjson lines: the object itself when not re-encoded
	size int64
}

func createSpool(dir, name string) (*spoolFile, error) {
	path := filepath.Join(dir, openPrefix+name+".ndjson")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return &spoolFile{path: path, f: f, w: bufio.NewWriterSize(f, 32<<10), h: sha256.New()}, nil
}

func (s *spoolFile) writeLine(b []byte) error {
	s.w.Write(b)
	s.h.Write(b)
	s.h.Write(newline)
	s.size += int64(len(b)) + 1
	return s.w.WriteByte('\n')
}

var newline = []byte{'\n'}

// spooled is a closed batch's encoded bytes, durable on disk.
type spooled struct {
	name   string // file name in the spool directory
	size   int64
	sha256 string
}

// finish turns the open spool into the batch's final bytes under name:
// renamed as it is for plain ndjson, else re-encoded with the codec. The
// result is fsynced, and so is the directory.
func (s *spoolFile) finish(name string, c objectstore.Codec) (spooled, error) {
	if err := s.w.Flush(); err != nil {
		s.discard()
		return spooled{}, err
	}
	dir := filepath.Dir(s.path)
	final := name + c.Extension()
	var out spooled
	var err error
	if c.Format == objectstore.FormatNDJSON && c.Compression == objectstore.CompressionNone {
		out = spooled{name: final, size: s.size, sha256: hex.EncodeToString(s.h.Sum(nil))}
		err = s.f.Sync()
		if err == nil {
			err = os.Rename(s.path, filepath.Join(dir, final))
		}
	} else {
		out, err = s.reencode(filepath.Join(dir, final), c)
	}
	s.discard()
	if err == nil {
		err = state.SyncDir(dir)
	}
	return out, err
}

// reencode writes the spooled lines through the codec into path.
func (s *spoolFile) reencode(path string, c objectstore.Codec) (spooled, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return spooled{}, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return spooled{}, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 64<<10)
	if err := encodeLines(bw, bufio.NewReaderSize(s.f, 64<<10), c); err != nil {
		return spooled{}, err
	}
	if err := bw.Flush(); err != nil {
		return spooled{}, err
	}
	if err := f.Sync(); err != nil {
		return spooled{}, err
	}
	return spooled{name: filepath.Base(path), size: cw.n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

func encodeLines(w io.Writer, r *bufio.Reader, c objectstore.Codec) error {
	enc, err := objectstore.NewEncoder(w, c, 0)
	if err != nil {
		return err
	}
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line over 64 KiB: gather it whole
			rest, rerr := r.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), rerr
		}
		if len(line) > 0 {
			if eerr := enc.EncodeLine(bytes.TrimSuffix(line, newline)); eerr != nil {
				return eerr
			}
		}
		if err == io.EOF {
			return enc.Close()
		}
		if err != nil {
			return err
		}
	}
}

// discard closes the open spool and deletes it.
func (s *spoolFile) discard() {
	s.f.Close()
	os.Remove(s.path)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// cleanSpool deletes spool files that no pending batch refers to: open
// batches of a run that was killed.
func cleanSpool(dir string, keep map[string]bool) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !keep[e.Name()] || strings.HasPrefix(e.Name(), openPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("clean spool: %w", err)
			}
		}
	}
	return nil
}
