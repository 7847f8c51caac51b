package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

// A file written line by line is read at most once per read gap, every
// line taken: a write is not a read of its own.
func TestTrickleIsReadOncePerGap(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", "")
	in := e.start(true, nil)
	const gap, n, every = 100 * time.Millisecond, 150, 5 * time.Millisecond
	in.readGap = gap
	go func() {
		f, err := os.OpenFile(e.path("a.log"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		for i := range n {
			fmt.Fprintf(f, "{\"n\":\"w-%04d\"}\n", i)
			time.Sleep(every)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start, reads, total := time.Now(), 0, 0
	for total < n {
		evs, ack, err := in.Read(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("read %d of %d lines", total, n)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) > 0 {
			reads++
			total += len(evs)
			ack(nil)
		}
	}
	took := time.Since(start)
	// 150 writes over about 0.75 s: one read per 100 ms gap, and a first
	// one at once.
	if limit := int(took/gap) + 2; reads > limit {
		t.Fatalf("%d reads for %d lines written one by one in %v; want at most %d", reads, n, took, limit)
	}
	if reads < 2 {
		t.Fatalf("%d reads: the lines were not read as they came", reads)
	}
}

// An input with bytes left to read does not wait for the gap: a backlog of
// many chunks is read at once even with an hour's gap.
func TestBacklogIsReadWithoutGap(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", lines("x", 0, 100))
	in := e.start(true, nil)
	in.readGap = time.Hour
	g := read(t, in, 100, 5*time.Second)
	g.ackAll()
	// The backlog's first read follows a wake-up, which waits the gap
	// since the last read: as if that was long ago, so that only a wait
	// between the backlog's chunks can hold the read up.
	in.lastRead = time.Time{}
	big := lines("y", 0, 60000) // about 1 MiB: several chunks
	e.write("a.log", big)
	start := time.Now()
	g = read(t, in, 60000, 5*time.Second)
	if len(g.events) != 60000 {
		t.Fatalf("read %d of 60000 lines of a backlog in %v", len(g.events), time.Since(start))
	}
}
