package file

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auditship/auditship/inputs"
)

// exactPath makes the input follow only a.log, not its rotated names.
func exactPath(e *env) func(*Config, *inputs.Settings) {
	return func(c *Config, _ *inputs.Settings) { c.Paths = []string{e.path("a.log")} }
}

func rename(t *testing.T, e *env, from, to string) {
	t.Helper()
	if err := os.Rename(e.path(from), e.path(to)); err != nil {
		t.Fatal(err)
	}
}

// TestMovedOutOfGlobWhileDown: a.log grows and is renamed to a name the
// paths do not match while the agent is down; after the restart its
// unread tail is found in the same directory and read, and so is the new
// a.log.
func TestMovedOutOfGlobWhileDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, exactPath(e))
	expect(t, in, raws(lines("a", 0, 3))).ackAll()
	in.Close(context.Background())
	e.write("a.log", lines("a", 3, 6))
	rename(t, e, "a.log", "a.log.1")
	e.write("a.log", lines("b", 0, 2))
	in = e.start(false, exactPath(e))
	expect(t, in, raws(lines("a", 3, 6)+lines("b", 0, 2))).ackAll()
	in.Close(context.Background())
	expect(t, e.start(false, exactPath(e)), nil) // nothing twice
}

// TestMovedFileTieBreakByInode: two files with the checkpoint's
// fingerprint in the directory: the one with its device and inode is read.
func TestMovedFileTieBreakByInode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 2))
	in := e.start(true, exactPath(e))
	expect(t, in, raws(lines("a", 0, 2))).ackAll()
	in.Close(context.Background())
	e.write("a.log", lines("a", 2, 4))
	rename(t, e, "a.log", "z.old")
	e.write("copy.old", lines("a", 0, 2)+lines("x", 0, 1)) // same head, another inode
	expect(t, e.start(false, exactPath(e)), raws(lines("a", 2, 4)))
}

// TestMissingFileReported: a file with unread bytes that is gone after a
// restart is reported once, with its path and byte count, and counted.
func TestMissingFileReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, exactPath(e))
	expect(t, in, raws(lines("a", 0, 3))) // read, not acked: the checkpoint stays at 0
	in.Close(context.Background())
	if err := os.Remove(e.path("a.log")); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.WarnLevel)
	in = e.start(false, func(c *Config, s *inputs.Settings) {
		exactPath(e)(c, s)
		s.Logger = zap.New(core)
	})
	expect(t, in, nil)
	if got := counterValue(t, in.m.missing); got != 1 {
		t.Errorf("missing files = %v, want 1", got)
	}
	size := float64(len(lines("a", 0, 3)))
	if got := counterValue(t, in.m.deletedUnread); got != size {
		t.Errorf("unread bytes = %v, want %v", got, size)
	}
	found := logs.FilterMessageSnippet("not found again").All()
	if len(found) != 1 || found[0].ContextMap()["unread_bytes"] != int64(size) ||
		found[0].ContextMap()["path"] != e.path("a.log") {
		t.Errorf("warnings = %+v, want one naming the path and %v bytes", found, size)
	}
	in.Close(context.Background())
	core, logs = observer.New(zapcore.WarnLevel)
	in = e.start(false, func(c *Config, s *inputs.Settings) {
		exactPath(e)(c, s)
		s.Logger = zap.New(core)
	})
	expect(t, in, nil)
	if n := logs.FilterMessageSnippet("not found again").Len(); n != 0 {
		t.Errorf("reported again after a restart: %d", n)
	}
}

// TestClosedFileMovedOutOfGlob: a file closed to make room (max_open_files)
// and then renamed out of the paths is found by its inode and read to its
// end, not counted as deleted.
func TestClosedFileMovedOutOfGlob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 2))
	in := e.start(true, func(c *Config, _ *inputs.Settings) {
		c.Paths, c.MaxOpenFiles = []string{e.path("a.log"), e.path("b.log")}, 1
	})
	expect(t, in, raws(lines("a", 0, 2))).ackAll()
	e.write("b.log", lines("b", 0, 2)) // a, at its end, is closed for b
	expect(t, in, raws(lines("b", 0, 2))).ackAll()
	e.write("a.log", lines("a", 2, 4))
	rename(t, e, "a.log", "a.old")
	expect(t, in, raws(lines("a", 2, 4)))
	if got := counterValue(t, in.m.deletedUnread); got != 0 {
		t.Errorf("deleted unread bytes = %v, want 0", got)
	}
}

// TestUnmatchedGlobWarns: a path that matches nothing is named in a
// warning, resolved to an absolute path.
func TestUnmatchedGlobWarns(t *testing.T) {
	e := newEnv(t)
	t.Chdir(e.logs)
	core, logs := observer.New(zapcore.WarnLevel)
	in := e.start(true, func(c *Config, s *inputs.Settings) {
		c.Paths = []string{"nothing-*.log", "*.log"}
		s.Logger = zap.New(core)
	})
	e.write("a.log", lines("a", 0, 1)) // a relative path reads the working directory
	expect(t, in, raws(lines("a", 0, 1)))
	w := logs.FilterMessageSnippet("no file matches").All()
	if len(w) != 1 || w[0].ContextMap()["resolved"] != e.path("nothing-*.log") {
		t.Fatalf("warnings = %+v, want one for nothing-*.log resolved to %s", w, e.path("nothing-*.log"))
	}
}

// TestUnopenableFileWarns: a matching name that cannot be opened (a
// symlink loop; root ignores permissions) is warned about once and
// counted at every try.
func TestUnopenableFileWarns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := os.Symlink(e.path("loop.log"), e.path("loop.log")); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.WarnLevel)
	in := e.start(true, func(_ *Config, s *inputs.Settings) { s.Logger = zap.New(core) })
	expect(t, in, nil)
	time.Sleep(3 * in.interval)
	expect(t, in, nil)
	w := logs.FilterMessageSnippet("cannot open").All()
	if len(w) != 1 || !strings.HasSuffix(w[0].ContextMap()["path"].(string), "loop.log") {
		t.Errorf("warnings = %+v, want one naming loop.log", w)
	}
	if got := counterValue(t, in.m.errors.WithLabelValues("open")); got < 2 {
		t.Errorf("open errors = %v, want one per scan", got)
	}
}

// TestNewFileKnownBeforeItsRecords: a new file's checkpoint is on disk
// before its first records are handed out, so a crash right after they
// reach the buffer (no ack, no scheduled save) still leaves the file
// findable when it is renamed out of the paths meanwhile.
func TestNewFileKnownBeforeItsRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, exactPath(e))
	g := read(t, in, 3, 5*time.Second)
	recs := savedRecs(t, e) // read at once: before any ack or scheduled save
	if len(recs) != 1 || recs[0].SourceID != keyOf(g.raws()[0]) {
		t.Fatalf("checkpoints on disk after the first read = %+v, want the file with its source id", recs)
	}
	in.st.mu.Lock()
	if in.st.tm != nil {
		in.st.tm.Stop() // a kill -9: nothing more is saved
	}
	in.st.mu.Unlock()
	e.write("a.log", lines("a", 3, 5))
	rename(t, e, "a.log", "a.log.1")
	mark := int64(len(lines("a", 0, 3))) // the three records reached the buffer
	in = e.start(false, func(c *Config, s *inputs.Settings) {
		exactPath(e)(c, s)
		s.Resume = func(string) (int64, bool) { return mark, true }
	})
	expect(t, in, raws(lines("a", 3, 5)))
}
