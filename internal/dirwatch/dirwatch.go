// Package dirwatch shares one fsnotify watcher among the file inputs of an
// agent. Each input subscribes its globs; an event reaches only the
// subscribers with a glob matching its name, so a write to one of many
// files in a shared directory wakes the one input that tails it, and the
// kernel's events are read once, not once per input.
//
// Only a glob whose directory part has no wildcard is watched (the
// directory itself); the others rely on their input's polling. Events are
// hints: inputs still scan every scan_interval. One limit of sharing: two
// paths of one directory (a symlink) share its inotify watch, whose events
// carry one of the two names; the subscribers under the other rely on
// polling.
package dirwatch

import (
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// Watcher owns one fsnotify watcher and fans its events out.
type Watcher struct {
	fw        *fsnotify.Watcher // nil: watching is unavailable, subscribers poll
	mu        sync.RWMutex
	dirs      map[string]*dir // by cleaned directory path
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// dir is one watched directory: its subscribers' base-name globs by their
// literal prefix (the part before the first wildcard), so an event is
// matched against the few globs that can match it, not against all.
type dir struct {
	byPrefix map[string][]*pattern
	n        int
}

type pattern struct {
	base string // the glob's last element
	sub  *Sub
}

// New starts a watcher. When the system cannot watch (no inotify, too
// many instances) it returns a watcher whose subscribers are never woken,
// and the error to report.
func New() (*Watcher, error) {
	w := &Watcher{dirs: map[string]*dir{}}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return w, err
	}
	w.fw = fw
	w.wg.Add(1)
	go w.run()
	return w, nil
}

// Close stops watching; subscribers are no longer woken. Idempotent.
func (w *Watcher) Close() error {
	var err error
	w.closeOnce.Do(func() {
		if w.fw != nil {
			err = w.fw.Close()
			w.wg.Wait()
		}
	})
	return err
}

func (w *Watcher) run() {
	defer w.wg.Done()
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			w.dispatch(ev)
		case _, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.overflow()
		}
	}
}

// dispatch notes ev with every subscriber whose glob matches its name.
func (w *Watcher) dispatch(ev fsnotify.Event) {
	base := filepath.Base(ev.Name)
	w.mu.RLock()
	defer w.mu.RUnlock()
	d := w.dirs[filepath.Dir(ev.Name)]
	if d == nil {
		return
	}
	for i := 0; i <= len(base); i++ {
		for _, p := range d.byPrefix[base[:i]] {
			if ok, _ := filepath.Match(p.base, base); ok {
				p.sub.note(ev)
			}
		}
	}
}

// overflow: events were lost (the kernel's queue overflowed); every
// subscriber rescans.
func (w *Watcher) overflow() {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, d := range w.dirs {
		for _, ps := range d.byPrefix {
			for _, p := range ps {
				p.sub.note(fsnotify.Event{Op: fsnotify.Create})
			}
		}
	}
}

// Subscribe watches the directories of globs for a new subscriber. A
// directory that cannot be watched now (missing) is tried again by the
// next subscription to it; until then its subscribers poll.
func (w *Watcher) Subscribe(globs []string) *Sub {
	s := &Sub{w: w, wake: make(chan struct{}, 1), names: map[string]struct{}{}}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range globs {
		dpath, base := filepath.Dir(g), filepath.Base(g)
		if hasMeta(dpath) {
			continue
		}
		d := w.dirs[dpath]
		if d == nil {
			d = &dir{byPrefix: map[string][]*pattern{}}
			w.dirs[dpath] = d
		}
		if w.fw != nil {
			_ = w.fw.Add(dpath) // also when watched: re-adds a directory that was removed and made again
		}
		pre := base[:metaIndex(base)]
		d.byPrefix[pre] = append(d.byPrefix[pre], &pattern{base: base, sub: s})
		d.n++
		s.dirs = append(s.dirs, dpath)
	}
	return s
}

// release removes s's globs; a directory left without subscribers is no
// longer watched.
func (w *Watcher) release(s *Sub) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, dpath := range s.dirs {
		d := w.dirs[dpath]
		if d == nil {
			continue
		}
		for pre, ps := range d.byPrefix {
			kept := ps[:0]
			for _, p := range ps {
				if p.sub != s {
					kept = append(kept, p)
				}
			}
			d.n -= len(ps) - len(kept)
			clear(ps[len(kept):])
			if len(kept) == 0 {
				delete(d.byPrefix, pre)
			} else {
				d.byPrefix[pre] = kept
			}
		}
		if d.n == 0 {
			delete(w.dirs, dpath)
			if w.fw != nil {
				_ = w.fw.Remove(dpath) // fails if the directory is gone: its watch went with it
			}
		}
	}
}

func hasMeta(p string) bool { return metaIndex(p) < len(p) }

// metaIndex is the index of the first glob wildcard (or escape) in p, or
// len(p).
func metaIndex(p string) int {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?', '[', '\\':
			return i
		}
	}
	return len(p)
}

// Dirs lists the directories watched for subscribers, for tests and
// diagnostics.
func (w *Watcher) Dirs() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		out = append(out, d)
	}
	return out
}
