package record

// window holds the source bytes that are not emitted yet (the open record,
// the held partial line) followed, during Write, by the chunk being read.
// Records are cut from it as sub-slices when they lie in one buffer.
type window struct {
	buf   []byte // source bytes [off, off+len(buf))
	off   int64
	owned bool   // buf was allocated here, so keep may append to it
	chunk []byte // during Write: the chunk, starting at off+len(buf)
}

func (w *window) reset(off int64) { *w = window{off: off} }

func (w *window) begin(chunk []byte) { w.chunk = chunk }

// chunkOff is the source offset of the chunk's first byte.
func (w *window) chunkOff() int64 { return w.off + int64(len(w.buf)) }

// bytes returns the source bytes [a, b), aliasing buf or the chunk when the
// range lies in one of them. The capacity is clipped so that an append by
// the caller never reaches bytes the window still uses.
func (w *window) bytes(a, b int64) []byte {
	c := w.chunkOff()
	if a >= c {
		return w.chunk[a-c : b-c : b-c]
	}
	if b <= c {
		return w.buf[a-w.off : b-w.off : b-w.off]
	}
	return w.copy(a, b)
}

// copy returns the source bytes [a, b) in a new buffer.
func (w *window) copy(a, b int64) []byte {
	out := make([]byte, 0, b-a)
	c := w.chunkOff()
	if a < c {
		out = append(out, w.buf[a-w.off:min(b, c)-w.off]...)
	}
	if b > c {
		out = append(out, w.chunk[max(a, c)-c:b-c]...)
	}
	return out
}

// keep ends a Write: the window becomes the bytes from k to the end of the
// chunk. Bytes already in an owned buf are extended in place; a chunk is
// aliased until a later chunk must be joined to it, which copies.
func (w *window) keep(k int64) {
	c := w.chunkOff()
	end := c + int64(len(w.chunk))
	switch {
	case k == end:
		w.reset(end)
		return
	case k >= c:
		w.buf, w.owned = w.chunk[k-c:], false
	case w.owned:
		w.buf = append(w.buf[k-w.off:], w.chunk...)
	default:
		buf := make([]byte, 0, 2*(end-k))
		buf = append(buf, w.buf[k-w.off:]...)
		w.buf, w.owned = append(buf, w.chunk...), true
	}
	w.off, w.chunk = k, nil
}

// drop forgets the bytes before k, between Writes.
func (w *window) drop(k int64) {
	w.buf = w.buf[k-w.off:]
	w.off = k
}

// size is the capacity the window pins, for memory tests.
func (w *window) size() int { return cap(w.buf) }
