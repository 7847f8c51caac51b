package file

import (
	"encoding/hex"
	"os"
	"slices"

	"go.uber.org/zap"
)

// track starts following e, from its checkpoint r when it has one, with
// the source id sid (a checkpoint's own id wins: it was fixed first). It
// resumes after what the buffer already holds of this source.
func (in *input) track(e entry, p *prefixes, r *rec, sid []byte) *tfile {
	t := &tfile{home: e.path, path: e.path, id: e.id, size: e.size}
	if r == nil {
		r = &rec{fp: p.full(), live: true, offset: in.startOffset(e), sourceID: sid,
			path: e.path, dev: e.id.dev, ino: e.id.ino, size: e.size}
		in.st.add(r)
		// Written before any record of the file can reach the buffer: after
		// a crash, a file the buffer holds records of is always known here,
		// so it is found again even if it was renamed out of the paths.
		in.st.saveNow()
	}
	in.st.with(func() {
		r.path, r.dev, r.ino, r.size = e.path, e.id.dev, e.id.ino, e.size
		if e.size < r.offset { // shorter than its checkpoint: rewritten
			r.offset, r.pending = 0, nil
		}
		if p.full().Len > r.fp.Len {
			r.fp = p.full()
		}
		if len(r.sourceID) == 0 {
			r.sourceID = sid
		}
		t.sid = r.sourceID
	})
	t.r, t.off, t.key = r, r.offset, hex.EncodeToString(t.sid)
	in.resume(t)
	in.files = append(in.files, t)
	in.byID[e.id] = t
	return t
}

// resume skips t to the end of its last record already durable in the
// buffer, when that is past its checkpoint: a crash between the buffer's
// fsync and the checkpoint write then re-reads nothing, and catching up
// costs no reading at all. The checkpoint moves there too.
func (in *input) resume(t *tfile) {
	if in.set.Resume == nil {
		return
	}
	end, ok := in.set.Resume(t.key)
	if !ok || end <= t.off || end > t.size {
		return // nothing new, or a file shorter than the mark: not that content
	}
	t.resume, t.off = end, end
	in.st.with(func() {
		if len(t.r.pending) == 0 && t.r.offset < end {
			t.r.offset = end
		}
	})
	in.log.Debug("resuming after the records already in the buffer",
		zap.String("path", t.path), zap.Int64("offset", end))
}

// startOffset is 0, or with start_at = "end" at the very first start, the
// end of the file's last complete line.
func (in *input) startOffset(e entry) int64 {
	if !in.first || in.cfg.StartAt != "end" {
		return 0
	}
	f, err := os.Open(e.path)
	if err != nil {
		return 0
	}
	defer f.Close()
	return lastLineEnd(f, e.size, int64(max(in.set.Framing.MaxLineBytes, 1<<20)))
}

// retireTruncated ends the files truncated under us that no copy took
// over: their held partial line is emitted; the path's new content is a
// new identity, read from 0.
func (in *input) retireTruncated() {
	for _, t := range in.files {
		if t.truncated {
			if c, ok := in.copyInDir(t); ok {
				in.migrate(t, c)
				continue
			}
			t.truncated, t.finalDue, t.retired = false, true, true
			if in.byID[t.id] == t {
				delete(in.byID, t.id)
			}
		}
	}
}

// prune forgets the files that are done.
func (in *input) prune() {
	in.files = slices.DeleteFunc(in.files, func(t *tfile) bool {
		if !t.done {
			return false
		}
		in.closeFile(t)
		if in.byID[t.id] == t {
			delete(in.byID, t.id)
		}
		in.st.with(func() { t.r.live = false })
		return true
	})
}

// balance opens the files with unread bytes, at most max_open_files at a
// time: an idle file at its end is closed to make room; without one, a
// file waits for a later scan.
func (in *input) balance() {
	for _, t := range in.files {
		if t.f != nil || t.done || t.finalDue || t.size <= t.off {
			continue
		}
		if in.open >= in.cfg.MaxOpenFiles && !in.evict() {
			return
		}
		in.openFile(t)
	}
}

func (in *input) evict() bool {
	for _, t := range in.files {
		if t.f != nil && t.eof && !t.gone && !t.finalDue && !t.fr.Pending() {
			in.closeFile(t)
			return true
		}
	}
	return false
}

func (in *input) openFile(t *tfile) bool {
	if err := t.open(in.set.Framing); err != nil {
		in.failed(t.path, "open", err)
		return false
	}
	in.recovered(t.path)
	in.open++
	in.m.open.Set(float64(in.open))
	return true
}

func (in *input) closeFile(t *tfile) {
	if t.f != nil {
		t.close()
		in.open--
		in.m.open.Set(float64(in.open))
	}
}
