package buffer

// walker follows the frames of one segment in sequence order and turns
// damage into gaps: it is the recovery policy shared by Open and readers.
type walker struct {
	fr   *frameReader
	seg  segment
	next uint64 // the seq the next event record must carry
}

type stepKind int

const (
	stepFrame stepKind = iota
	stepGap            // records or bytes skipped; see gap
	stepEnd            // clean end of the segment
	stepTail           // damage with no valid frame after it, at gap.off
)

// gap describes skipped data. corrupt is false for a sequence jump between
// two valid frames, which needs no copy of the segment.
type gap struct {
	lost    Lost
	off     int64
	corrupt bool
}

// step advances by one frame or one gap.
func (w *walker) step() (frame, stepKind, gap, error) {
	off := w.fr.pos()
	f, n, st, err := w.fr.frameAt()
	if err != nil {
		return frame{}, 0, gap{}, err
	}
	if st == stOK && f.seq < w.next {
		st = stBad // a stale or foreign frame: sequence numbers only grow
	}
	switch st {
	case stEnd:
		return frame{}, stepEnd, gap{}, nil
	case stOK:
		if f.seq > w.next {
			g := w.gap(f.seq, off, false, "sequence jump between valid frames")
			return frame{}, stepGap, g, nil
		}
		w.fr.discard(n)
		if f.kind != KindMarks {
			w.next = f.seq + 1
		}
		return f, stepFrame, gap{}, nil
	}
	found, ok, err := w.fr.resync(w.next)
	if err != nil || !ok {
		return frame{}, stepTail, gap{off: off, lost: Lost{From: w.next}}, err
	}
	return frame{}, stepGap, w.gap(found.seq, off, true, "corrupt frame"), nil
}

// gap skips the walker to seq, reporting [next, seq-1] lost.
func (w *walker) gap(seq uint64, off int64, corrupt bool, reason string) gap {
	g := gap{off: off, corrupt: corrupt, lost: Lost{
		From: w.next, To: seq - 1, Segment: segName(w.seg.first), Reason: reason,
	}}
	w.next = seq
	return g
}
