package dirwatch

import (
	"sync"

	"github.com/fsnotify/fsnotify"
)

// Sub is one subscriber: what its globs saw since it last took it, and a
// wake-up channel.
type Sub struct {
	w         *Watcher
	dirs      []string // one per watched glob
	wake      chan struct{}
	mu        sync.Mutex
	names     map[string]struct{} // written files
	rescan    bool                // anything else happened: a create, remove, rename, lost events
	closeOnce sync.Once
}

// Wake receives a value after something was noted since the last Take
// (one value for any number of events).
func (s *Sub) Wake() <-chan struct{} { return s.wake }

// note records ev: a write names its file; anything else asks for a
// rescan.
func (s *Sub) note(ev fsnotify.Event) {
	s.mu.Lock()
	if ev.Op == fsnotify.Write {
		s.names[ev.Name] = struct{}{}
	} else {
		s.rescan = true
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Take returns the files written since the last call and whether anything
// else happened, and resets both. spare (cleared here; may be nil) holds
// the next names: passing back the map of the previous call makes taking
// allocation-free.
func (s *Sub) Take(spare map[string]struct{}) (names map[string]struct{}, rescan bool) {
	if spare == nil {
		spare = map[string]struct{}{}
	}
	clear(spare)
	s.mu.Lock()
	defer s.mu.Unlock()
	names, s.names = s.names, spare
	rescan, s.rescan = s.rescan, false
	return names, rescan
}

// Close ends the subscription. Idempotent.
func (s *Sub) Close() {
	s.closeOnce.Do(func() { s.w.release(s) })
}
