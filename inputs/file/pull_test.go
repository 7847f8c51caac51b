package file

import (
	"slices"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs"
)

// A file tailed line by line is read into buffers the size of what waits:
// the input holds no 256 KiB chunk between reads (100 idle inputs held
// 25 MB), and lines are read whole across the reads.
func TestSmallReadsHoldNoChunk(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", lines("big", 0, 3000)) // a large first read
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.ScanInterval = "1h" })
	g := read(t, in, 3000, 5*time.Second)
	if len(g.events) != 3000 {
		t.Fatalf("read %d of 3000 lines", len(g.events))
	}
	g.ackAll()
	for i := range 20 {
		line := lines("a", i, i+1)
		half := len(line) / 2
		e.write("a.log", line[:half]) // a line written in two parts
		e.write("a.log", line[half:])
		g := read(t, in, 1, 5*time.Second)
		if want := raws(line); !slices.Equal(g.raws(), want) {
			t.Fatalf("append %d: got %q, want %q", i, g.raws(), want)
		}
		g.ackAll()
		if in.spare != nil {
			t.Fatalf("append %d: the input holds a %d-byte chunk between small reads", i, len(in.spare))
		}
	}
	more := lines("c", 0, 1)
	e.write("a.log", more)
	if g := read(t, in, 1, 5*time.Second); !slices.Equal(g.raws(), raws(more)) {
		t.Fatalf("got %q, want %q", g.raws(), raws(more))
	}
}

// TestNewsOfBytesReadAlreadyReadsNothing: the watcher's news of a write
// whose bytes an earlier read took already leaves the file at its end: no
// read, no 256 KiB chunk for it (a hundred tailing pipelines allocated
// 1.5 GB in 35 s that way). News of new bytes reads them.
func TestNewsOfBytesReadAlreadyReadsNothing(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 2))
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.ScanInterval = "1h" })
	read(t, in, 2, 5*time.Second).ackAll()
	tf := in.byPath[e.path("a.log")]
	if tf == nil || !tf.eof {
		t.Fatalf("after reading everything: file %v", tf)
	}
	in.news(e.path("a.log")) // a late news of the bytes just read
	if !tf.eof || in.needScan {
		t.Fatalf("a news of bytes read already: eof %v, rescan %v; want the file left at its end", tf.eof, in.needScan)
	}
	if recs, _ := in.pull(tf, time.Now()); len(recs) != 0 || in.spare != nil {
		t.Fatalf("pull after it: %d records, chunk held %v", len(recs), in.spare != nil)
	}
	e.write("a.log", lines("b", 0, 1))
	in.news(e.path("a.log"))
	if tf.eof {
		t.Fatal("news of new bytes left the file at its end")
	}
	if g := read(t, in, 1, 5*time.Second); !slices.Equal(g.raws(), raws(lines("b", 0, 1))) {
		t.Fatalf("got %q after the news of a new line", g.raws())
	}
}

// TestLagReadIntoABufferItsSize: bytes known to wait that fit in a chunk
// (a pipeline a little behind its file) are read into a buffer their
// size, not into a 256 KiB chunk; a backlog larger than a chunk is read
// through the large one.
func TestLagReadIntoABufferItsSize(t *testing.T) {
	in := &input{}
	for _, wait := range []int64{100, chunkSize / 4, 100_000, chunkSize - smallSlack} {
		buf, own := in.chunkFor(&tfile{off: 1000, size: 1000 + wait})
		if !own || int64(len(buf)) != wait+smallSlack {
			t.Fatalf("%d bytes waiting: a %d-byte buffer (own %v), want its own of %d", wait, len(buf), own, wait+smallSlack)
		}
	}
	buf, own := in.chunkFor(&tfile{off: 1000, size: 1000 + 10*chunkSize})
	if own || len(buf) != chunkSize {
		t.Fatalf("a backlog: a %d-byte buffer (own %v), want the %d-byte chunk", len(buf), own, chunkSize)
	}
}
