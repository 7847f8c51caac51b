package file

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs"
)

func TestRenameRotation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		glob string
	}{
		{"rotated name matches", "a.log*"},
		{"rotated name out of glob", "a.log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := e.start(true, func(c *Config, _ *inputs.Settings) { c.Paths = []string{e.path(tc.glob)} })
			e.write("a.log", lines("old", 0, 5))
			g := read(t, in, 2, 5*time.Second)
			e.write("a.log", lines("old", 5, 10)+`{"n":"old-partial"}`)
			if err := os.Rename(e.path("a.log"), e.path("a.log.1")); err != nil {
				t.Fatal(err)
			}
			e.write("a.log.1", lines("old", 10, 12)) // the writer has not reopened yet
			e.write("a.log", lines("new", 0, 5))
			want := append(raws(lines("old", 0, 10)), `{"n":"old-partial"}{"n":"old-0010"}`, `{"n":"old-0011"}`)
			want = append(want, raws(lines("new", 0, 5))...)
			rest := expect(t, in, want[len(g.events):])
			g.events = append(g.events, rest.events...)
			if d := diffSet(want, g.raws()); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestRotatedPartialLineEmitted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.Paths = []string{e.path("a.log")} })
	e.write("a.log", lines("old", 0, 2)+`{"n":"cut`)
	expect(t, in, raws(lines("old", 0, 2)))
	if err := os.Rename(e.path("a.log"), e.path("a.log.1")); err != nil {
		t.Fatal(err)
	}
	e.write("a.log", lines("new", 0, 1))
	g := expect(t, in, append([]string{`{"n":"cut`}, raws(lines("new", 0, 1))...))
	for _, ev := range g.events {
		if want := strings.HasPrefix(string(ev.Raw), `{"n":"cut`); hasFlag(ev, "_partial") != want {
			t.Errorf("%s: _partial = %v, want %v", ev.Raw, !want, want)
		}
	}
}

// copyFile copies src to dst as logrotate's copytruncate does.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

func TestCopyTruncate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		glob   string
		header string // the same first line before and after: the fingerprint does not change
		newN   int    // lines written after the truncate
	}{
		{"copy matches", "a.log*", "", 3},
		{"copy out of glob", "a.log", "", 3},
		{"same fingerprint after truncate", "a.log", "{\"header\":1}\n", 3},
		{"rewritten past the old offset", "a.log", "", 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := e.start(true, func(c *Config, _ *inputs.Settings) { c.Paths = []string{e.path(tc.glob)} })
			e.write("a.log", tc.header+lines("old", 0, 10))
			g := expect(t, in, raws(tc.header+lines("old", 0, 10)))
			// The writer is paused around the copy and the truncate.
			copyFile(t, e.path("a.log"), e.path("a.log.1"))
			if err := os.Truncate(e.path("a.log"), 0); err != nil {
				t.Fatal(err)
			}
			e.write("a.log", tc.header+lines("new", 0, tc.newN))
			expect(t, in, raws(tc.header+lines("new", 0, tc.newN)))
			g.ackAll()
		})
	}
}

// TestCopyTruncateKeepsUnreadTail: what was written between the last read
// and the copy is read from the copy, also when the paths do not match
// the copy's name (it is looked for in the same directory).
func TestCopyTruncateKeepsUnreadTail(t *testing.T) {
	t.Parallel()
	for _, glob := range []string{"a.log*", "a.log"} {
		t.Run(glob, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := e.start(true, func(c *Config, _ *inputs.Settings) { c.Paths = []string{e.path(glob)} })
			e.write("a.log", lines("old", 0, 10))
			expect(t, in, raws(lines("old", 0, 10)))
			e.write("a.log", lines("old", 10, 15)) // not read before the rotation
			copyFile(t, e.path("a.log"), e.path("a.log.1"))
			if err := os.Truncate(e.path("a.log"), 0); err != nil {
				t.Fatal(err)
			}
			e.write("a.log", lines("new", 0, 3))
			expect(t, in, append(raws(lines("old", 10, 15)), raws(lines("new", 0, 3))...))
		})
	}
}

func TestNewFileAtSamePath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("one", 0, 3))
	expect(t, in, raws(lines("one", 0, 3)))
	if err := os.Remove(e.path("a.log")); err != nil {
		t.Fatal(err)
	}
	e.write("a.log", lines("two", 0, 4))
	expect(t, in, raws(lines("two", 0, 4)))
}

func TestMovedFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 3))
	expect(t, in, raws(lines("a", 0, 3)))
	if err := os.Rename(e.path("a.log"), e.path("b.log")); err != nil {
		t.Fatal(err)
	}
	e.write("b.log", lines("a", 3, 5))
	expect(t, in, raws(lines("a", 3, 5)))
}

func TestMovedFileAcrossRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 3))
	expect(t, in, raws(lines("a", 0, 3))).ackAll()
	in.Close(t.Context())
	if err := os.Rename(e.path("a.log"), e.path("b.log")); err != nil {
		t.Fatal(err)
	}
	e.write("b.log", lines("a", 3, 5))
	expect(t, e.start(false, nil), raws(lines("a", 3, 5)))
}

func TestDeletedWhileOpenReadToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	data := lines("a", 0, 3*chunkSize/len(lines("a", 0, 1)))
	e.write("a.log", data+`{"n":"tail`)
	g := read(t, in, 1, 5*time.Second) // opened, one chunk read
	if err := os.Remove(e.path("a.log")); err != nil {
		t.Fatal(err)
	}
	want := append(raws(data), `{"n":"tail`)
	rest := expect(t, in, want[len(g.events):])
	if d := diffSet(want, append(g.raws(), rest.raws()...)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if in.open != 0 {
		t.Errorf("%d files still open", in.open)
	}
}
