package delivery

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/fsutil"
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
	h    hash.Hash // over the ndjson lines when they are the object itself and its sha256 is needed
	size int64
}

// createSpool opens a spool file; digest: hash the lines as they come
// (they are the stored bytes: uncompressed ndjson whose sha256 is needed).
func createSpool(dir, name string, digest bool) (*spoolFile, error) {
	path := filepath.Join(dir, openPrefix+name+".ndjson")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	s := &spoolFile{path: path, f: f, w: bufio.NewWriterSize(f, 32<<10)}
	if digest {
		s.h = sha256.New()
	}
	return s, nil
}

func (s *spoolFile) writeLine(b []byte) error {
	s.w.Write(b)
	if s.h != nil {
		s.h.Write(b)
		s.h.Write(newline)
	}
	s.size += int64(len(b)) + 1
	return s.w.WriteByte('\n')
}

var newline = []byte{'\n'}

// contents is what the spool holds so far, for reading while the batch
// is still open (the file is renamed or re-encoded when it finishes).
func (s *spoolFile) contents() (io.ReaderAt, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	return io.NewSectionReader(s.f, 0, s.size), nil
}

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
		out = spooled{name: final, size: s.size}
		if s.h != nil {
			out.sha256 = hex.EncodeToString(s.h.Sum(nil))
		}
		err = fsutil.Sync(s.f)
		if err == nil {
			err = os.Rename(s.path, filepath.Join(dir, final))
		}
	} else {
		out, err = s.reencode(filepath.Join(dir, final), c)
	}
	s.discard()
	if err == nil {
		err = fsutil.SyncDir(dir)
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
	if err := fsutil.Sync(f); err != nil {
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

// cleanSpool deletes the spool files of batches still open when a run was
// killed: the cursor never passes an open batch, so their events are read
// again from the buffer. Every other file is sorted by the sender when it
// starts (sortSpool), which knows the cursor and the journal's done marks:
// a spool file is deleted only when its batch is proven delivered or will
// be read again.
func cleanSpool(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), openPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("clean spool: %w", err)
			}
		}
	}
	return nil
}

// checkJournal reports and repairs, at start, what loading the journal
// found damaged, and sorts the spool directory in between: sortSpool needs
// every done mark the file held, the rewrite keeps only those it needs.
func (s *Sender) checkJournal() {
	if d := s.jr.damage; d.torn > 0 {
		s.log.Warn("journal: cutting back a torn last line (a crash mid-append; its batch was never sent and is read again from the buffer)",
			zap.String("file", s.jr.path), zap.Int64("bytes", d.torn))
		s.m.journalRepairs.WithLabelValues("torn_tail").Inc()
		if err := s.jr.cutBack(); err != nil {
			s.stateError("journal", err)
		}
	}
	s.sortSpool()
	if d := s.jr.damage; len(d.corrupt) > 0 {
		cp, err := s.jr.quarantine()
		s.log.Error("journal: lines that do not parse were skipped; the damaged file is kept",
			zap.String("file", s.jr.path), zap.Ints("lines", d.corrupt), zap.Int("entries_recovered_from_them", d.glued),
			zap.String("copy", cp), zap.Error(err))
		s.m.journalRepairs.WithLabelValues("corrupt_line").Add(float64(len(d.corrupt)))
	}
}

// sortSpool decides what each spool file that no pending batch names is:
// the bytes of a batch marked done (the run ended before the delete), or
// of one whose journal line never became durable (its first event is at or
// past the cursor: read again from the buffer): deleted. Otherwise the
// cursor passed its batch but the journal does not know it (its line was
// damaged): it cannot be proven delivered, so it is kept in the dead-letter
// directory, logged and counted.
func (s *Sender) sortSpool() {
	ents, err := os.ReadDir(s.spoolDir)
	if err != nil {
		s.stateError("spool", err)
		return
	}
	keep := map[string]bool{}
	for _, e := range s.jr.pending() {
		keep[e.Spool] = true
	}
	for _, de := range ents {
		if !keep[de.Name()] && !de.IsDir() {
			s.sortSpoolFile(de.Name())
		}
	}
}

func (s *Sender) sortSpoolFile(name string) {
	id, first, ok := spoolBatch(name, s.stream)
	path := filepath.Join(s.spoolDir, name)
	reread := ok && first >= s.cur.next && !s.jr.covers(first)
	if s.jr.done[id] || reread || strings.HasPrefix(name, openPrefix) {
		s.removeSpool(path)
		return
	}
	e := &batchEntry{ID: id, First: first, Spool: name}
	if err := s.deadLetter(e, errOrphanSpool); err != nil {
		s.stateError("dead-letter", err) // kept where it is; tried again at the next start
		return
	}
	s.log.Error("a spool file without a journal entry was moved to the dead-letter directory; check whether the store holds its batch",
		zap.String("file", name), zap.String("batch", id))
	s.m.journalRepairs.WithLabelValues("orphan_spool").Inc()
	s.removeSpool(path)
}

var errOrphanSpool = errors.New("no journal entry for this spool file, although the cursor passed its batch: " +
	"delivered, or its entry was in a damaged journal line")

// spoolBatch reads the batch ID and first sequence number from a spool
// file's name (<stream>-<first seq><extension>).
func spoolBatch(name, stream string) (string, uint64, bool) {
	id, _, _ := strings.Cut(name, ".")
	seq, ok := strings.CutPrefix(id, stream+"-")
	if !ok {
		return id, 0, false
	}
	first, err := strconv.ParseUint(seq, 10, 64)
	return id, first, err == nil
}

// removeSpool deletes a settled batch's spool file; a failure is reported,
// and the next start deletes the file (its batch is marked done).
func (s *Sender) removeSpool(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.stateError("spool", err)
	}
}

// stateError reports a failed change to the output's files that is not
// retried on the spot.
func (s *Sender) stateError(op string, err error) {
	s.log.Error("writing the output's state failed", zap.String("op", op), zap.Error(err))
	s.m.stateErrors.WithLabelValues(op).Inc()
}
