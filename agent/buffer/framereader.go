package buffer

import (
	"bytes"
	"hash/crc32"
	"io"
	"os"
)

// readBufSize is the most a reader's buffer grows to by itself (a longer
// frame grows it further): segments are read in large chunks and frames
// are decoded in place. It starts at readBufStart and doubles each time a
// read fills it, so that a reader that keeps up with a slow writer (one of
// a hundred pipelines, each tailing a file at 100 lines/s) holds 32 KiB,
// not 256.
const (
	readBufSize  = 256 << 10
	readBufStart = 32 << 10
)

type status int

const (
	stOK   status = iota
	stEnd         // clean end of the file
	stTorn        // an incomplete frame at the end of the file
	stBad         // an invalid frame
)

// frameReader reads frames from a segment file through a reusable buffer.
// It reads with ReadAt from its own offset, so it can read past a former
// end of file once the writer has appended more.
type frameReader struct {
	f      *os.File
	buf    []byte
	r, w   int
	off    int64 // file offset of buf[w]
	maxLen int64
	// backlog: the last telling read filled most of the buffer (it may
	// grow), rather than reach the end of the file (it may shrink).
	backlog bool
}

func newFrameReader(maxLen int64) *frameReader {
	return &frameReader{buf: make([]byte, readBufStart), maxLen: maxLen}
}

// reset points the reader at the start of f, keeping its buffer.
func (fr *frameReader) reset(f *os.File) {
	fr.f, fr.r, fr.w, fr.off = f, 0, 0, 0
}

// pos is the file offset of the next unread byte.
func (fr *frameReader) pos() int64 { return fr.off - int64(fr.w-fr.r) }

func (fr *frameReader) discard(n int) { fr.r += n }

// dropReadAhead forgets the buffered bytes, to read them again from the file.
func (fr *frameReader) dropReadAhead() {
	fr.off = fr.pos()
	fr.w = fr.r
}

// peek returns the next n bytes without consuming them; fewer and io.EOF
// at the end of the file.
func (fr *frameReader) peek(n int) ([]byte, error) {
	for fr.w-fr.r < n {
		if err := fr.fill(n); err != nil {
			return fr.buf[fr.r:fr.w], err
		}
	}
	return fr.buf[fr.r : fr.r+n], nil
}

// fill makes room for n buffered bytes and reads as much as fits.
func (fr *frameReader) fill(n int) error {
	switch {
	case n > len(fr.buf):
		if !fr.fits(n) {
			return io.EOF // never allocate for a length the file cannot hold
		}
		fr.grow(max(n, 2*len(fr.buf)))
	case fr.backlog && len(fr.buf) < readBufSize:
		fr.grow(2 * len(fr.buf))
	case fr.r+n > len(fr.buf) && !fr.backlog && len(fr.buf) > readBufStart && max(n, fr.w-fr.r) <= readBufStart/2:
		fr.grow(readBufStart) // caught up after a backlog: back to small
	case fr.r+n > len(fr.buf):
		fr.w = copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r = 0
	}
	space := len(fr.buf) - fr.w
	m, err := fr.f.ReadAt(fr.buf[fr.w:], fr.off)
	// A read that fills most of the buffer finds a backlog; one that stops
	// short of the buffer's end, the end of the file. One that fills the
	// little room left at the buffer's end says nothing.
	switch {
	case m < space:
		fr.backlog = false
	case space >= len(fr.buf)/2:
		fr.backlog = true
	}
	fr.w += m
	fr.off += int64(m)
	if m > 0 && err == io.EOF {
		return nil // the caller's loop asks again and sees EOF then
	}
	return err
}

// grow moves the unread bytes into a new buffer of size bytes (smaller
// too, when they fit).
func (fr *frameReader) grow(size int) {
	nb := make([]byte, size)
	fr.w = copy(nb, fr.buf[fr.r:fr.w])
	fr.buf, fr.r = nb, 0
}

// fits reports whether the file holds n bytes from the buffered position.
func (fr *frameReader) fits(n int) bool {
	fi, err := fr.f.Stat()
	return err == nil && fr.pos()+int64(n) <= fi.Size()
}

// frameAt decodes the frame at the current position without consuming it;
// it returns the frame's encoded size.
func (fr *frameReader) frameAt() (frame, int, status, error) {
	b, err := fr.peek(headerSize)
	if err != nil {
		return frame{}, 0, eofStatus(len(b)), ioErr(err)
	}
	h, ok := parseHeader(b, fr.maxLen)
	if !ok {
		return frame{}, 0, stBad, nil
	}
	n := headerSize + int(h.length)
	if b, err = fr.peek(n); err != nil {
		return frame{}, 0, stTorn, ioErr(err)
	}
	data := b[headerSize:]
	if crc32.Checksum(data, castagnoli) != h.sum {
		return frame{}, 0, stBad, nil
	}
	return frame{seq: h.seq, kind: h.kind, data: data}, n, stOK, nil
}

func eofStatus(buffered int) status {
	if buffered == 0 {
		return stEnd
	}
	return stTorn
}

// ioErr hides io.EOF, which frameAt reports as a status.
func ioErr(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// resync skips the invalid bytes at the current position up to the next
// valid frame whose seq is at least minSeq. It reports whether it found
// one; then that frame is next. Otherwise the reader is at the end.
func (fr *frameReader) resync(minSeq uint64) (frame, bool, error) {
	fr.discard(1)
	for {
		if _, err := fr.peek(len(magic)); err != nil {
			fr.r = fr.w
			return frame{}, false, ioErr(err)
		}
		i := bytes.Index(fr.buf[fr.r:fr.w], magic[:])
		if i < 0 {
			fr.discard(fr.w - fr.r - (len(magic) - 1))
			continue
		}
		fr.discard(i)
		f, _, st, err := fr.frameAt()
		if err != nil {
			return frame{}, false, err
		}
		if st == stOK && f.seq >= minSeq {
			return f, true, nil
		}
		fr.discard(1)
	}
}
