package file

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/internal/dirwatch"
)

// inotifyInstances counts this process's inotify descriptors.
func inotifyInstances(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == "anon_inode:inotify" {
			n++
		}
	}
	return n
}

// Many inputs tailing their own files of one directory share the agent's
// watcher (no inotify instance of their own, so a write is read from the
// kernel once), and a write to one file wakes and rescans no other input.
func TestInputsShareOneWatcher(t *testing.T) {
	e := newEnv(t)
	w, err := dirwatch.New()
	if err != nil {
		t.Skipf("no inotify here: %v", err)
	}
	defer w.Close()
	const n = 20
	before := inotifyInstances(t)
	ins := make([]*input, n)
	for i := range ins {
		name := fmt.Sprintf("flow-%d.log", i)
		e.write(name, lines(name, 0, 1))
		state := filepath.Join(e.state, name)
		if err := os.Mkdir(state, 0o700); err != nil {
			t.Fatal(err)
		}
		ins[i] = e.start(true, func(c *Config, s *inputs.Settings) {
			c.Paths, c.ScanInterval = []string{e.path(name + "*")}, "1h"
			s.StateDir, s.Watch = state, w
		})
		read(t, ins[i], 1, 5*time.Second).ackAll()
	}
	if got := inotifyInstances(t) - before; got != 0 {
		t.Errorf("%d inputs opened %d inotify instances of their own, want 0", n, got)
	}
	time.Sleep(100 * time.Millisecond) // the events of the first writes
	scans := make([]int, n)
	for i, in := range ins {
		select {
		case <-in.w.wake():
		default:
		}
		in.w.take()
		scans[i] = in.scans
	}
	for i := 1; i <= 30; i++ {
		e.write("flow-0.log", lines("flow-0.log", i, i+1))
		g := read(t, ins[0], 1, 5*time.Second)
		if want := raws(lines("flow-0.log", i, i+1)); !slices.Equal(g.raws(), want) {
			t.Fatalf("write %d: got %q, want %q", i, g.raws(), want)
		}
		g.ackAll()
	}
	if d := ins[0].scans - scans[0]; d > 2 {
		t.Errorf("the written input scanned %d times for 30 appends, want at most 2", d)
	}
	for i, in := range ins[1:] {
		select {
		case <-in.w.wake():
			t.Errorf("input %d was woken by writes to another input's file", i+1)
		default:
		}
		if names, rescan := in.w.take(); len(names) > 0 || rescan {
			t.Errorf("input %d got news %v (rescan %v) of another input's file", i+1, names, rescan)
		}
		if in.scans != scans[i+1] {
			t.Errorf("input %d scanned %d times", i+1, in.scans-scans[i+1])
		}
	}
}

// Closing an input releases its subscription: the shared watcher keeps
// no directory of a closed input.
func TestCloseReleasesWatch(t *testing.T) {
	e := newEnv(t)
	w, err := dirwatch.New()
	if err != nil {
		t.Skipf("no inotify here: %v", err)
	}
	defer w.Close()
	e.write("a.log", lines("a", 0, 1))
	in := e.start(true, func(_ *Config, s *inputs.Settings) { s.Watch = w })
	read(t, in, 1, 5*time.Second).ackAll()
	if err := in.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	in2 := e.start(false, func(_ *Config, s *inputs.Settings) { s.Watch = w })
	e.write("a.log", lines("a", 1, 2))
	g := read(t, in2, 1, 5*time.Second)
	if want := raws(lines("a", 1, 2)); !slices.Equal(g.raws(), want) {
		t.Fatalf("after a restart on the shared watcher: got %q, want %q", g.raws(), want)
	}
	in2.Close(t.Context())
	if got := w.Dirs(); len(got) != 0 {
		t.Errorf("directories still watched after every input closed: %q", got)
	}
}
