package dirwatch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func newWatcher(t *testing.T) *Watcher {
	t.Helper()
	w, err := New()
	if err != nil {
		t.Skipf("no inotify here: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func appendTo(t *testing.T, name string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("x\n"); err != nil {
		t.Fatal(err)
	}
}

// woken waits up to d for s's wake-up and returns the sorted names written
// since the last Take, once the events of the same writes are in.
func woken(s *Sub, d time.Duration) ([]string, bool) {
	select {
	case <-s.Wake():
	case <-time.After(d):
		return nil, false
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case <-s.Wake():
	default:
	}
	names, _ := s.Take(nil)
	var out []string
	for n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, true
}

// Writes to one file of a shared directory wake only the subscribers whose
// globs match it; two subscribers of the same glob both hear it.
func TestFanOutToMatchingSubscribers(t *testing.T) {
	w := newWatcher(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	appendTo(t, a)
	appendTo(t, b)
	sa := w.Subscribe([]string{filepath.Join(dir, "a.log*")})
	sb := w.Subscribe([]string{b})
	sb2 := w.Subscribe([]string{filepath.Join(dir, "*.log")})
	for range 3 {
		appendTo(t, a)
	}
	if got, ok := woken(sa, 5*time.Second); !ok || !slices.Equal(got, []string{a}) {
		t.Fatalf("a's subscriber: woken %v with %q, want %q", ok, got, a)
	}
	if got, ok := woken(sb2, 5*time.Second); !ok || !slices.Equal(got, []string{a}) {
		t.Fatalf("*.log subscriber: woken %v with %q, want %q", ok, got, a)
	}
	if got, ok := woken(sb, 200*time.Millisecond); ok {
		t.Fatalf("b's subscriber woken by writes to a: %q", got)
	}
	appendTo(t, b)
	if got, ok := woken(sb, 5*time.Second); !ok || !slices.Equal(got, []string{b}) {
		t.Fatalf("b's subscriber: woken %v with %q, want %q", ok, got, b)
	}
	if got, ok := woken(sa, 200*time.Millisecond); ok {
		t.Fatalf("a's subscriber woken by a write to b: %q", got)
	}
}

// A create (or any change but a write) asks for a rescan, and is news
// only for the globs that match the new name.
func TestCreateAsksForRescan(t *testing.T) {
	w := newWatcher(t)
	dir := t.TempDir()
	s := w.Subscribe([]string{filepath.Join(dir, "app-*.log")})
	other := w.Subscribe([]string{filepath.Join(dir, "other.log")})
	appendTo(t, filepath.Join(dir, "app-1.log"))
	select {
	case <-s.Wake():
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up for a new matching file")
	}
	if _, rescan := s.Take(nil); !rescan {
		t.Error("a new file did not ask for a rescan")
	}
	if got, ok := woken(other, 200*time.Millisecond); ok {
		t.Errorf("other.log's subscriber woken by app-1.log: %q", got)
	}
}

// After Close a subscriber is no longer woken; the directory stays watched
// for the others, and is released with the last one.
func TestUnsubscribe(t *testing.T) {
	w := newWatcher(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	appendTo(t, a)
	s1 := w.Subscribe([]string{a})
	s2 := w.Subscribe([]string{a})
	s1.Close()
	s1.Close() // idempotent
	appendTo(t, a)
	if _, ok := woken(s2, 5*time.Second); !ok {
		t.Fatal("the remaining subscriber was not woken")
	}
	if got, ok := woken(s1, 200*time.Millisecond); ok {
		t.Fatalf("a closed subscriber was woken: %q", got)
	}
	s2.Close()
	w.mu.RLock()
	n := len(w.dirs)
	w.mu.RUnlock()
	if n != 0 {
		t.Errorf("%d directories still watched after every subscriber left", n)
	}
	if got := w.fw.WatchList(); len(got) != 0 {
		t.Errorf("fsnotify still watches %q", got)
	}
	s3 := w.Subscribe([]string{a}) // watched again
	appendTo(t, a)
	if _, ok := woken(s3, 5*time.Second); !ok {
		t.Fatal("a new subscriber after a release was not woken")
	}
}

// A directory removed and made again is watched again by the next
// subscription to it (a pipeline restarted by a reload).
func TestResubscribeRecreatedDir(t *testing.T) {
	w := newWatcher(t)
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(dir, "a.log")
	keep := w.Subscribe([]string{filepath.Join(dir, "*.log")})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the removal's events
	keep.Take(nil)
	s := w.Subscribe([]string{a})
	appendTo(t, a)
	if _, ok := woken(s, 5*time.Second); !ok {
		t.Fatal("no wake-up in a directory made again")
	}
}

// Globs whose directory has a wildcard are not watched (polling finds
// them), and an event is matched on its base name within the cleaned
// directory, so "./x/../dir/a.log" hears writes to dir/a.log.
func TestGlobDirectories(t *testing.T) {
	w := newWatcher(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	appendTo(t, a)
	s := w.Subscribe([]string{filepath.Join(dir, "x", "..", "a.log"), filepath.Join(dir, "*", "b.log")})
	if len(s.dirs) != 1 {
		t.Fatalf("watched %q, want only %s", s.dirs, dir)
	}
	appendTo(t, a)
	if got, ok := woken(s, 5*time.Second); !ok || !slices.Equal(got, []string{a}) {
		t.Fatalf("woken %v with %q, want %q", ok, got, a)
	}
}

func TestMetaIndex(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"a.log", 5}, {"a.log*", 5}, {"*", 0}, {"a?b", 1}, {"a[bc]", 1}, {`a\*`, 1}, {"", 0}} {
		if got := metaIndex(c.in); got != c.want {
			t.Errorf("metaIndex(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
