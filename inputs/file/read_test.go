package file

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/inputs"
)

func TestAppendThenRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 3))
	g := expect(t, in, raws(lines("a", 0, 3)))
	if diff := cmp.Diff(raws(lines("a", 0, 3)), g.raws()); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	e.write("a.log", lines("a", 3, 5))
	expect(t, in, raws(lines("a", 3, 5)))
}

func TestEventSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", "{\"a\":1}\n{\"b\":2}\n")
	g := expect(t, in, []string{`{"a":1}`, `{"b":2}`})
	ev := g.events[1]
	want := struct {
		Input, Path string
		Offset, End int64
	}{"in", e.path("a.log"), 8, 16}
	gotSrc := struct {
		Input, Path string
		Offset, End int64
	}{ev.Source.Input, ev.Source.Path, ev.Source.Offset, ev.Source.End}
	if diff := cmp.Diff(want, gotSrc); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	if len(ev.ID) != 32 {
		t.Errorf("_id %q: want 32 hex digits", ev.ID)
	}
}

func TestPartialLineHeld(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", "{\"n\":1}\n{\"n\":")
	expect(t, in, []string{`{"n":1}`})
	e.write("a.log", "2}\n")
	expect(t, in, []string{`{"n":2}`})
}

func TestEmptyFileHasNoIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", "")
	expect(t, in, nil)
	in.st.mu.Lock()
	n := len(in.st.recs)
	in.st.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d checkpoints for an empty file, want 0", n)
	}
	e.write("a.log", lines("a", 0, 2))
	expect(t, in, raws(lines("a", 0, 2)))
}

func TestExclude(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, func(c *Config, _ *inputs.Settings) {
		c.Paths = []string{e.path("*")}
		c.Exclude = append(c.Exclude, "b.*", e.path("c.log"))
	})
	for _, n := range []string{"a.log", "a.log.gz", "b.log", "c.log", "d.log.1"} {
		e.write(n, lines(n, 0, 1))
	}
	expect(t, in, append(raws(lines("a.log", 0, 1)), raws(lines("d.log.1", 0, 1))...))
}

func TestMaxOpenFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.MaxOpenFiles = 1 })
	var want []string
	for _, n := range []string{"a.log", "b.log", "c.log"} {
		e.write(n, lines(n, 0, 3))
		want = append(want, raws(lines(n, 0, 3))...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []string
	for len(got) < len(want) {
		evs, _, err := in.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			got = append(got, string(ev.Raw))
		}
		if in.open > 1 {
			t.Fatalf("%d files open, max_open_files = 1", in.open)
		}
	}
	if d := diffSet(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestFairAcrossFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := strings.Repeat(lines("a", 0, 1), (3*chunkSize)/len(lines("a", 0, 1)))
	e.write("a.log", big)
	e.write("b.log", lines("b", 0, 1))
	in := e.start(true, nil)
	var paths []string
	for range 2 {
		g := read(t, in, 1, 2*time.Second)
		paths = append(paths, g.events[0].Source.Path)
	}
	slices.Sort(paths)
	if diff := cmp.Diff([]string{e.path("a.log"), e.path("b.log")}, paths); diff != "" {
		t.Fatalf("the first two reads should serve both files (-want +got):\n%s", diff)
	}
}

func TestMultilineFlushTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, func(_ *Config, s *inputs.Settings) {
		s.Framing.Format = "plain"
		s.FlushTimeout = 100 * time.Millisecond
	})
	rec := "{timestamp=2024-05-13T08:00:01, message=a\nsecond line}"
	e.write("a.log", rec+"\n")
	start := time.Now()
	g := read(t, in, 1, 3*time.Second)
	if diff := cmp.Diff([]string{rec}, g.raws()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("flushed after %v, before flush_timeout", d)
	}
}

func TestReadAfterClose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	for range 2 {
		if err := in.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := in.Read(context.Background()); err == nil {
		t.Fatal("Read after Close succeeded")
	}
	if _, err := os.Stat(in.st.name); err != nil {
		t.Fatalf("no checkpoint file after Close: %v", err)
	}
}

// A file written line by line is read from the watcher's write news
// without a rescan per write; a truncation seen in the news still
// rescans at once.
func TestWritesDoNotRescan(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 1))
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.ScanInterval = "1h" })
	read(t, in, 1, 5*time.Second).ackAll()
	before := in.scans
	for i := 1; i <= 40; i++ {
		e.write("a.log", lines("a", i, i+1))
		g := read(t, in, 1, 5*time.Second)
		if len(g.events) != 1 || string(g.events[0].Raw) != raws(lines("a", i, i+1))[0] {
			t.Fatalf("write %d: got %q", i, g.raws())
		}
		g.ackAll()
	}
	if n := in.scans - before; n > 2 {
		t.Errorf("%d scans for 40 appends to a tracked file, want at most 2", n)
	}
	if err := os.Truncate(e.path("a.log"), 0); err != nil {
		t.Fatal(err)
	}
	e.write("a.log", lines("b", 0, 3))
	g := read(t, in, 3, 5*time.Second)
	if got, want := g.raws(), raws(lines("b", 0, 3)); !slices.Equal(got, want) {
		t.Errorf("after a truncation: got %q, want %q", got, want)
	}
}

// Writes to files of the directory that the paths do not match (another
// input's, in a shared directory) are no news: no rescan.
func TestForeignWritesDoNotRescan(t *testing.T) {
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 1))
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.ScanInterval = "1h" })
	read(t, in, 1, 5*time.Second).ackAll()
	before := in.scans
	for i := range 30 {
		e.write("other.txt", lines("o", i, i+1))
		if g := read(t, in, 1, 30*time.Millisecond); len(g.events) > 0 {
			t.Fatalf("events from a file the paths do not match: %q", g.raws())
		}
	}
	e.write("a.log", lines("a", 1, 2))
	g := read(t, in, 1, 5*time.Second)
	if got, want := g.raws(), raws(lines("a", 1, 2)); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := in.scans - before; n > 2 {
		t.Errorf("%d scans for 30 writes to a file the paths do not match, want at most 2", n)
	}
}
