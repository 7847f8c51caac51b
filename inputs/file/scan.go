package file

import (
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"go.uber.org/zap"
)

// entry is one matching path as stat(2) saw it.
type entry struct {
	path string
	id   fileID
	size int64
}

// glob lists the regular files matching paths and not exclude, in name
// order, each inode once, and which globs matched any.
func (in *input) glob() ([]entry, map[string]bool) {
	var names []string
	matched := make(map[string]bool, len(in.cfg.Paths))
	for _, p := range in.cfg.Paths {
		m, _ := filepath.Glob(p) // patterns were validated
		names = append(names, m...)
		matched[p] = len(m) > 0
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var out []entry
	seen := make(map[fileID]bool, len(names))
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			in.failed(name, "open", err) // a symlink loop, say
		}
		if err != nil || !fi.Mode().IsRegular() || in.excluded(name) {
			continue
		}
		e := entry{path: name, id: idOf(fi), size: fi.Size()}
		if !seen[e.id] {
			seen[e.id] = true
			out = append(out, e)
		}
	}
	return out, matched
}

// excluded matches exclude against the base name and the full path.
func (in *input) excluded(name string) bool {
	base := filepath.Base(name)
	for _, x := range in.cfg.Exclude {
		if ok, _ := filepath.Match(x, base); ok {
			return true
		}
		if ok, _ := filepath.Match(x, name); ok {
			return true
		}
	}
	return false
}

// scan brings the tracked files in line with the file system.
func (in *input) scan() {
	now := time.Now()
	in.lastScan, in.needScan = now, false
	ents, matched := in.glob()
	in.checkGlobs(matched)
	in.forgetVanished()
	found := make(map[fileID]entry, len(ents))
	for _, e := range ents {
		found[e.id] = e
	}
	for _, t := range in.files {
		in.update(t, found, now)
	}
	in.discover(ents)
	if in.started {
		in.started = false
		in.findMoved(now)
	}
	in.retireTruncated()
	in.prune()
	in.balance()
	in.mapPaths(ents)
	in.first = false
	in.scans++
}

// mapPaths records which tracked file each path found holds, for
// takeNews.
func (in *input) mapPaths(ents []entry) {
	clear(in.byPath)
	for _, e := range ents {
		if t := in.byID[e.id]; t != nil && t.path == e.path && !t.done {
			in.byPath[e.path] = t
		}
	}
}

// update applies what the scan saw to one tracked file.
func (in *input) update(t *tfile, found map[fileID]entry, now time.Time) {
	if t.done || t.finalDue || t.truncated {
		return
	}
	e, ok := found[t.id]
	if !ok {
		in.lost(t, now)
		return
	}
	t.path, t.size = e.path, e.size
	in.st.mu.Lock()
	t.r.size = e.size // saved with the next checkpoint write
	in.st.mu.Unlock()
	if e.path != t.home {
		t.markGone(now)
	}
	if e.size < t.off || !in.sameHead(t) {
		t.truncated = true // copytruncate, or truncated and rewritten
		return
	}
	if t.r.path != e.path { // only this goroutine writes it
		in.st.with(func() { t.r.path = e.path })
	}
	in.settle(t, e.size, now)
}

// settle decides whether t has news, or, rotated and drained for a scan
// interval, is due for End.
func (in *input) settle(t *tfile, size int64, now time.Time) {
	if size > t.off {
		t.eof = false
		return
	}
	if t.gone && t.eof && t.f != nil && now.Sub(t.goneAt) >= in.interval {
		t.finalDue = true
	}
}

func (t *tfile) markGone(now time.Time) {
	if !t.gone {
		t.gone, t.goneAt = true, now
	}
}

// lost handles a file whose inode no longer matches any path: an open one
// is read to its end; a closed one is looked for in its directory (moved
// out of the paths) and read to its end, else dropped, its unread bytes
// reported and counted.
func (in *input) lost(t *tfile, now time.Time) {
	if t.f == nil {
		if !in.relocate(t, now) {
			in.dropUnread(t)
		}
		return
	}
	t.markGone(now)
	if fi, err := t.f.Stat(); err == nil {
		t.size = fi.Size()
	}
	in.settle(t, t.size, now)
}

func (in *input) dropUnread(t *tfile) {
	t.done = true
	if unread := t.size - t.off; unread > 0 {
		in.m.deletedUnread.Add(float64(unread))
		in.log.Warn("a file was deleted before it was read to its end",
			zap.String("path", t.path), zap.Int64("unread_bytes", unread))
	}
}

// sameHead checks an open file's fingerprint against its content, and lets
// a short fingerprint grow with the file. It runs at every write news of a
// tailed file, so it reads into the input's own buffer and hashes only the
// fingerprint's length.
func (in *input) sameHead(t *tfile) bool {
	if t.f == nil {
		return true
	}
	if in.headBuf == nil {
		in.headBuf = make([]byte, fpMax)
	}
	n, err := t.f.ReadAt(in.headBuf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return true // a read error shows again when reading
	}
	h, fp := in.headBuf[:n], t.r.fp // only this goroutine writes fp
	if fp.Len == 0 || fp.Len > len(h) || sha256.Sum256(h[:fp.Len]) != fp.Sum {
		return false
	}
	if len(h) > fp.Len {
		full := fingerprint{Sum: sha256.Sum256(h), Len: len(h)}
		in.st.with(func() { t.r.fp = full })
	}
	return true
}
