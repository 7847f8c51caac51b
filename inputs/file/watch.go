package file

import (
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// watcher turns fsnotify events in the globs' directories into news for
// Read. It is a hint: some file systems miss events, so Read also scans
// every scan_interval.
type watcher struct {
	fw     *fsnotify.Watcher // nil when watching is not possible
	wake   chan struct{}
	mu     sync.Mutex
	names  map[string]struct{} // written files
	rescan bool
	globs  []string // events on other names are not news (other inputs' files in a shared directory)
	wg     sync.WaitGroup
}

func newWatcher(globs []string, log *zap.Logger) *watcher {
	w := &watcher{wake: make(chan struct{}, 1), names: map[string]struct{}{}, globs: globs}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		log.Info("file watching unavailable; polling only", zap.Error(err))
		return w
	}
	w.fw = fw
	for _, g := range globs {
		if dir := filepath.Dir(g); !hasMeta(dir) {
			_ = fw.Add(dir) // a missing dir is found by polling later
		}
	}
	w.wg.Add(1)
	go w.run()
	return w
}

func hasMeta(p string) bool {
	for _, c := range p {
		if c == '*' || c == '?' || c == '[' || c == '\\' {
			return true
		}
	}
	return false
}

func (w *watcher) run() {
	defer w.wg.Done()
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if w.matches(ev.Name) {
				w.note(ev)
			}
		case _, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.note(fsnotify.Event{Op: fsnotify.Create}) // overflow: rescan
		}
	}
}

// matches reports whether an event's name is one of the paths: a file
// renamed in or out of them shows under a matching name too (the new or
// the old one), so nothing else needs a rescan.
func (w *watcher) matches(name string) bool {
	for _, g := range w.globs {
		if ok, _ := filepath.Match(g, name); ok {
			return true
		}
	}
	return false
}

func (w *watcher) note(ev fsnotify.Event) {
	w.mu.Lock()
	if ev.Op == fsnotify.Write {
		w.names[ev.Name] = struct{}{}
	} else {
		w.rescan = true
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns and resets what was seen since the last call.
func (w *watcher) take() (map[string]struct{}, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var names map[string]struct{}
	if len(w.names) > 0 {
		names, w.names = w.names, map[string]struct{}{}
	}
	rescan := w.rescan
	w.rescan = false
	return names, rescan
}

func (w *watcher) close() {
	if w.fw != nil {
		w.fw.Close()
		w.wg.Wait()
	}
}
