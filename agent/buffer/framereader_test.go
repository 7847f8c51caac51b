package buffer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// readFrames reads every frame of f with fr and returns how many.
func readFrames(t *testing.T, fr *frameReader) int {
	t.Helper()
	n := 0
	for {
		fm, size, st, err := fr.frameAt()
		if err != nil {
			t.Fatal(err)
		}
		if st == stEnd {
			return n
		}
		if st != stOK {
			t.Fatalf("frame %d: status %d", n, st)
		}
		if want := uint64(n + 1); fm.seq != want {
			t.Fatalf("frame seq %d, want %d", fm.seq, want)
		}
		fr.discard(size)
		n++
	}
}

// TestFrameReaderBufferFollowsTheBacklog: a reader that keeps up with a
// slow writer keeps a small buffer; one with a backlog grows it to
// readBufSize, and no further.
func TestFrameReaderBufferFollowsTheBacklog(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 300)
	write := func(frames int) *os.File {
		var b []byte
		for i := range frames {
			b = appendFrame(b, uint64(i+1), KindEvent, payload)
		}
		path := filepath.Join(t.TempDir(), "seg")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	slow := newFrameReader(1 << 20)
	slow.reset(write(10)) // a few frames: what a slow writer leaves between reads
	if n := readFrames(t, slow); n != 10 || len(slow.buf) != readBufStart {
		t.Fatalf("read %d frames into a %d-byte buffer, want 10 into %d", n, len(slow.buf), readBufStart)
	}
	backlog := newFrameReader(1 << 20)
	backlog.reset(write(5000)) // 1.5 MB
	if n := readFrames(t, backlog); n != 5000 || len(backlog.buf) != readBufSize {
		t.Fatalf("read %d frames into a %d-byte buffer, want 5000 into %d", n, len(backlog.buf), readBufSize)
	}
}
