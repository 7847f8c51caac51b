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
	// A slow writer: a few frames at a time, each read as it comes, 3 MB
	// in all: the buffer is filled to its end now and then, never grown.
	f := write(0)
	w, err := os.OpenFile(f.Name(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	slow := newFrameReader(1 << 20)
	slow.reset(f)
	seq, read := uint64(0), 0
	for range 3000 {
		var b []byte
		for range 3 {
			seq++
			b = appendFrame(b, seq, KindEvent, payload)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		for {
			fm, size, st, err := slow.frameAt()
			if err != nil {
				t.Fatal(err)
			}
			if st != stOK {
				break
			}
			if read++; fm.seq != uint64(read) {
				t.Fatalf("frame seq %d, want %d", fm.seq, read)
			}
			slow.discard(size)
		}
	}
	if read != 9000 || len(slow.buf) != readBufStart {
		t.Fatalf("read %d frames into a %d-byte buffer, want 9000 into %d", read, len(slow.buf), readBufStart)
	}
	backlog := newFrameReader(1 << 20)
	bf := write(5000) // 1.5 MB
	backlog.reset(bf)
	if n := readFrames(t, backlog); n != 5000 || len(backlog.buf) != readBufSize {
		t.Fatalf("read %d frames into a %d-byte buffer, want 5000 into %d", n, len(backlog.buf), readBufSize)
	}
	// Caught up, it goes back to a small buffer as the writer goes on slowly.
	bw, err := os.OpenFile(bf.Name(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer bw.Close()
	for i := range 2000 {
		if _, err := bw.Write(appendFrame(nil, uint64(5001+i), KindEvent, payload)); err != nil {
			t.Fatal(err)
		}
		if fm, size, st, err := backlog.frameAt(); err != nil || st != stOK || fm.seq != uint64(5001+i) {
			t.Fatalf("frame %d after the backlog: seq %d, status %d, %v", 5001+i, fm.seq, st, err)
		} else {
			backlog.discard(size)
		}
	}
	if len(backlog.buf) != readBufStart {
		t.Fatalf("a %d-byte buffer after catching up, want %d", len(backlog.buf), readBufStart)
	}
}

// TestEncodeBufferShrinksAfterABurst: the encode buffer a large append
// grew is not kept for the small appends after it.
func TestEncodeBufferShrinksAfterABurst(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	appendN(t, l, 1000, 300) // a burst: 300 KB in one append
	if cap(l.buf) < 256<<10 {
		t.Fatalf("encode buffer %d bytes after a 300 KB append", cap(l.buf))
	}
	appendN(t, l, 3, 300)
	if cap(l.buf) > encodeKeep {
		t.Fatalf("encode buffer %d bytes kept for a 1 KB append, want at most %d", cap(l.buf), encodeKeep)
	}
	if recs, lost := readAll(t, l, 1); len(recs) != 1003 || len(lost) != 0 {
		t.Fatalf("%d records, %d lost, want 1003 and 0", len(recs), len(lost))
	}
}
