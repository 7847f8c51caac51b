package buffer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/fsutil"
)

// Append writes records with consecutive sequence numbers from NextSeq(),
// with the marks set since the previous Append, in one write. It does not
// wait for fsync with "batch" or "never". onDurable (may be nil) is called
// exactly once, from the committer goroutine, when the records are durable
// or with the error that prevented it. If Append returns an error, nothing
// of the call is on disk or visible, NextSeq is unchanged, the marks set
// before it are kept for the next Append, and onDurable is not called.
// Append does not enforce MaxSize: the caller checks Full first. A write
// that a crash cuts short is dropped whole by Open, records and marks: it
// was never acknowledged, so nothing of it must stay.
//
// After a failed fsync with "batch" the log refuses appends; close and
// reopen it (Open recovers whatever reached the disk).
func (l *Log) Append(kinds []Kind, payloads [][]byte, onDurable func(error)) error {
	if len(kinds) != len(payloads) {
		return errors.New("buffer: append: kinds and payloads differ in length")
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	size, err := l.batchSize(kinds, payloads)
	if err != nil {
		return err
	}
	roll := l.activeSize > 0 && l.activeSize+size > l.o.SegmentSize
	buf := l.encode(kinds, payloads, roll || l.activeSize == 0, size)
	if err := l.write(buf, roll); err != nil {
		return fmt.Errorf("buffer: append: %w", err)
	}
	l.appended(len(kinds), int64(len(buf)), onDurable)
	return nil
}

func (l *Log) writable() error {
	if l.closed {
		return ErrClosed
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed != nil {
		return fmt.Errorf("buffer: failed earlier: %w", l.failed)
	}
	return nil
}

func (l *Log) batchSize(kinds []Kind, payloads [][]byte) (int64, error) {
	var n int64
	for i, p := range payloads {
		if int64(len(p)) > l.o.MaxRecordBytes {
			return 0, fmt.Errorf("buffer: record of %d bytes exceeds %d", len(p), l.o.MaxRecordBytes)
		}
		if kinds[i] == KindMarks {
			return 0, errors.New("buffer: kind 3 is reserved")
		}
		n += frameBytes(len(p))
	}
	return n, nil
}

// encodeKeep is the encode buffer a log keeps whatever its appends: past
// it, a buffer grown by a burst (a backlog read in 256 KiB chunks) goes
// once appends are a quarter of it; a hundred pipelines that tail slowly
// kept 10 MB of them.
const encodeKeep = 64 << 10

// encode frames the batch into the reused buffer. An opening marks
// record comes first: the snapshot when the write starts a segment, else
// an empty change set, and in both cases the size of the rest of the write,
// so that recovery can drop a write that is not whole. The changed marks
// come last: marks are never written ahead of their events. size is the
// framed size of the records.
func (l *Log) encode(kinds []Kind, payloads [][]byte, snapshot bool, size int64) []byte {
	buf, seq := l.buf[:0], l.nextSeq
	if cap(buf) > encodeKeep && size < int64(cap(buf)/4) {
		buf = nil // a burst's buffer is not kept for the small appends after it
	}
	rest := size
	if len(l.dirty) > 0 {
		l.mbuf = l.encodeDelta(l.mbuf[:0])
		rest += frameBytes(len(l.mbuf))
	}
	if snapshot || rest > 0 {
		l.obuf = l.encodeOpening(l.obuf[:0], snapshot, rest)
		buf = appendFrame(buf, seq, KindMarks, l.obuf)
	}
	for i, p := range payloads {
		buf = appendFrame(buf, seq+uint64(i), kinds[i], p)
	}
	if len(l.dirty) > 0 {
		buf = appendFrame(buf, seq+uint64(len(payloads)), KindMarks, l.mbuf)
	}
	l.buf = buf
	return buf
}

// write puts buf in the active segment, or a new one when roll is set;
// on error it takes back every byte it added.
func (l *Log) write(buf []byte, roll bool) error {
	f, off := l.active, l.activeSize
	if roll {
		nf, err := createSegment(l.o.Dir, l.nextSeq)
		if err != nil {
			return err
		}
		f, off = nf, 0
	}
	err := l.writeAll(f, buf, off)
	if err == nil && l.o.Fsync == FsyncAlways {
		err = l.syncAlways(f, roll)
	}
	if err != nil {
		l.undo(f, off, roll)
		return err
	}
	if roll {
		l.rolled(f, int64(len(buf)))
	}
	return nil
}

func (l *Log) writeAll(f *os.File, buf []byte, off int64) error {
	if len(buf) == 0 {
		return nil
	}
	_, err := l.writeAt(f, buf, off)
	return err
}

func (l *Log) syncAlways(f *os.File, roll bool) error {
	if roll {
		if err := fsutil.SyncDir(l.o.Dir); err != nil {
			return err
		}
	}
	return l.sync(f)
}

// undo truncates a failed write away (or removes the new segment). Readers
// may have read ahead into the failed bytes: they drop their read-ahead
// when they see undos change, before the next bytes written there can
// become durable.
func (l *Log) undo(f *os.File, off int64, roll bool) {
	l.undos.Add(1)
	if roll {
		f.Close()
		os.Remove(filepath.Join(l.o.Dir, segName(l.nextSeq)))
		return
	}
	if err := f.Truncate(off); err != nil {
		l.log.Error("buffer: truncating a failed append", zap.Error(err))
	}
}

// rolled makes f, holding size bytes, the active segment. The old one is
// fsynced and closed by the committer with "batch", already synced with
// "always" and never synced with "never".
func (l *Log) rolled(f *os.File, size int64) {
	old := l.active
	l.active, l.activeSize = f, 0
	l.mu.Lock()
	l.segs = append(l.segs, segment{first: l.nextSeq})
	l.syncTarget = f
	if l.o.Fsync == FsyncBatch {
		l.unsynced = append(l.unsynced, old)
		l.dirDirty = true
		old = nil
	}
	l.size()
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// appended publishes a successful write of n records (size bytes).
func (l *Log) appended(n int, size int64, onDurable func(error)) {
	l.nextSeq += uint64(n)
	l.activeSize += size
	l.commitMarks()
	last := l.nextSeq - 1
	l.mu.Lock()
	l.segs[len(l.segs)-1].size = l.activeSize
	l.bytes += size
	l.written = last
	l.waiters = append(l.waiters, onDurable)
	if l.o.Fsync == FsyncAlways {
		l.synced = last
	}
	if l.o.Fsync != FsyncBatch {
		l.advance(last)
	}
	l.size()
	l.mu.Unlock()
	l.wake()
	l.m.appended.Add(float64(n))
}
