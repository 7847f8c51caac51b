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
