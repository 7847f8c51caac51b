package file

import (
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"
)

// findMoved runs once, at the first scan of a process: a checkpointed file
// that no matching path holds any more may have been renamed out of the
// globs while the agent was down (or before it read the file to its end).
// It is looked for in the directory it was last seen in, by fingerprint,
// device and inode breaking ties, and read to its end as a rotated file.
// What cannot be found with bytes known unread is reported and counted.
func (in *input) findMoved(now time.Time) {
	dir := dirCache{}
	for _, r := range in.unclaimed() {
		e, p, ok := in.locate(r, dir)
		if !ok {
			in.missing(r)
			continue
		}
		if e.size <= r.offset {
			continue // read to its end before it moved
		}
		in.st.with(func() { r.live = true })
		t := in.track(e, p, r, r.sourceID)
		t.home = "" // not where it was found: read to its end, then closed
		t.markGone(now)
		in.log.Info("reading the rest of a file moved out of the paths",
			zap.String("path", e.path), zap.String("was", r.path), zap.Int64("offset", t.off))
	}
}

// unclaimed lists the checkpoints no tracked file holds.
func (in *input) unclaimed() []*rec {
	in.st.mu.Lock()
	defer in.st.mu.Unlock()
	var out []*rec
	for _, r := range in.st.recs {
		if !r.live && r.path != "" && len(r.sourceID) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// dirCache holds directory listings and file heads for one search.
type dirCache map[string][]found

type found struct {
	e entry
	p *prefixes
}

// locate finds r's file in the directory of its last path: the longest
// match is r's own fingerprint; among equal ones the same device and inode.
func (in *input) locate(r *rec, dc dirCache) (entry, *prefixes, bool) {
	var best found
	for _, f := range dc.list(in, filepath.Dir(r.path)) {
		if !f.p.matches(r.fp) || in.byID[f.e.id] != nil || in.isCopy(f.e, f.p) {
			continue
		}
		if best.p == nil || (f.e.id == fileID{r.dev, r.ino}) {
			best = f
		}
	}
	return best.e, best.p, best.p != nil
}

// list reads dir once: its regular, non-excluded, non-empty files with
// their heads.
func (dc dirCache) list(in *input, dir string) []found {
	if fs, ok := dc[dir]; ok {
		return fs
	}
	ents, _ := os.ReadDir(dir)
	var fs []found
	for _, de := range ents {
		name := filepath.Join(dir, de.Name())
		fi, err := os.Stat(name)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || in.excluded(name) {
			continue
		}
		h, err := readHead(name)
		if err != nil {
			continue
		}
		fs = append(fs, found{entry{path: name, id: idOf(fi), size: fi.Size()}, newPrefixes(h)})
	}
	dc[dir] = fs
	return fs
}

// missing reports a checkpointed file that is gone with bytes never read
// (known from its size when last seen), once: the checkpoint then counts
// them as accounted for.
func (in *input) missing(r *rec) {
	in.st.mu.Lock()
	unread, path := r.size-r.offset, r.path
	if unread > 0 {
		r.size = r.offset
	}
	in.st.mu.Unlock()
	if unread <= 0 {
		return
	}
	in.st.schedule()
	in.m.missing.Inc()
	in.m.deletedUnread.Add(float64(unread))
	in.log.Warn("a file with unread bytes is gone and was not found again; they are not read",
		zap.String("path", path), zap.Int64("unread_bytes", unread))
}

// relocate follows a tracked file that is not open and left the paths: the
// same inode with the same fingerprint in the directory it was in. It
// reports whether t is still to be read.
func (in *input) relocate(t *tfile, now time.Time) bool {
	for _, f := range (dirCache{}).list(in, filepath.Dir(t.path)) {
		if f.e.id != t.id || !f.p.matches(t.r.fp) {
			continue
		}
		t.path, t.size = f.e.path, f.e.size
		t.markGone(now)
		if t.size <= t.off && t.fr != nil && t.fr.Pending() {
			t.finalDue = true // only its held partial line is left
		}
		return t.size > t.off || t.finalDue
	}
	return false
}

// copyInDir finds the copy of a truncated file that no matching path took
// over in the file's own directory: copytruncate to a name the paths do
// not match. It holds what was written between the last read and the copy.
func (in *input) copyInDir(t *tfile) (entry, bool) {
	for _, f := range (dirCache{}).list(in, filepath.Dir(t.path)) {
		if f.e.id != t.id && f.e.size >= t.off && in.byID[f.e.id] == nil && f.p.matches(t.r.fp) {
			return f.e, true
		}
	}
	return entry{}, false
}
