package file

import "os"

// discover gives every matching inode that is not tracked yet an identity:
// the continuation of a truncated file (its copy), a copy of a tracked
// file (skipped), a file known from its checkpoint, or a new file. A file
// without a complete first line has no identity yet: it is looked at
// again when it grows.
func (in *input) discover(ents []entry) {
	for _, e := range ents {
		if t := in.byID[e.id]; (t != nil && !t.truncated) || e.size == 0 {
			continue // tracked, or empty: no identity until it has bytes
		}
		if in.copies[e.id] == e.size || in.lineless[e.id] == e.size {
			continue
		}
		h, err := readHead(e.path)
		if err != nil {
			in.failed(e.path, "open", err)
			continue
		}
		in.identify(e, newPrefixes(h))
	}
}

func readHead(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return head(f)
}

func (in *input) identify(e entry, p *prefixes) {
	if t := in.copyOfTruncated(e, p); t != nil {
		in.migrate(t, e)
		return
	}
	if in.isCopy(e, p) {
		in.copies[e.id] = e.size
		return
	}
	sid, ok := in.sourceID(e, p)
	if !ok {
		return
	}
	in.track(e, p, in.claim(e, p), sid)
}

// sourceID reads e's source id; false while e has no complete first line
// (remembered until e grows) or cannot be read (reported).
func (in *input) sourceID(e entry, p *prefixes) ([]byte, bool) {
	sid, ok, err := sourceIDOf(e.path, p.head)
	switch {
	case err != nil:
		in.failed(e.path, "read", err)
	case !ok:
		in.lineless[e.id] = e.size
	default:
		delete(in.lineless, e.id)
	}
	return sid, ok
}

// copyOfTruncated finds the truncated file that e is a copy of: logrotate's
// copytruncate copies, then truncates. Reading on in the copy keeps what
// was written between our last read and the copy.
func (in *input) copyOfTruncated(e entry, p *prefixes) *tfile {
	for _, t := range in.files {
		if t.truncated && t.id != e.id && e.size >= t.off && p.matches(t.r.fp) {
			return t
		}
	}
	return nil
}

// migrate moves t to the copy e and reads on from where it was.
func (in *input) migrate(t *tfile, e entry) {
	if in.byID[t.id] == t {
		delete(in.byID, t.id)
	}
	in.closeFile(t)
	t.id, t.path, t.size, t.truncated = e.id, e.path, e.size, false
	in.byID[e.id] = t
	if in.openFile(t) {
		t.markGone(in.lastScan) // the copy is a rotated file
	}
}

// isCopy reports whether e has the identity of a file tracked under
// another inode: a copy, not read again.
func (in *input) isCopy(e entry, p *prefixes) bool {
	for _, t := range in.files {
		if !t.truncated && !t.done && p.matches(t.r.fp) {
			return true
		}
	}
	return false
}

// claim finds the best checkpoint of an untracked identity for e: the
// longest matching fingerprint; the same device and inode break ties.
func (in *input) claim(e entry, p *prefixes) *rec {
	in.st.mu.Lock()
	defer in.st.mu.Unlock()
	var best *rec
	for _, r := range in.st.recs {
		if r.live || !p.matches(r.fp) {
			continue
		}
		if best == nil || r.fp.Len > best.fp.Len ||
			(r.fp.Len == best.fp.Len && fileID{r.dev, r.ino} == e.id) {
			best = r
		}
	}
	if best != nil {
		best.live = true
	}
	return best
}
