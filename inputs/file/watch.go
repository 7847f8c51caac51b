package file

import (
	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/dirwatch"
)

// watcher turns fsnotify events in the globs' directories into news for
// Read, through the agent's shared directory watcher (a private one when
// the settings bring none, as in tests). It is a hint: some file systems
// miss events, so Read also scans every scan_interval.
type watcher struct {
	sub   *dirwatch.Sub
	own   *dirwatch.Watcher // made for this input; nil when shared
	names map[string]struct{}
}

func newWatcher(globs []string, shared *dirwatch.Watcher, log *zap.Logger) *watcher {
	w := &watcher{}
	if shared == nil {
		own, err := dirwatch.New()
		if err != nil {
			log.Info("file watching unavailable; polling only", zap.Error(err))
		}
		w.own, shared = own, own
	}
	w.sub = shared.Subscribe(globs)
	return w
}

func (w *watcher) wake() <-chan struct{} { return w.sub.Wake() }

// take returns what was seen since the last call: the written files and
// whether anything else happened. The names are valid until the next call.
func (w *watcher) take() (map[string]struct{}, bool) {
	names, rescan := w.sub.Take(w.names) // the last call's map is free again
	w.names = names
	return names, rescan
}

func (w *watcher) close() {
	w.sub.Close()
	if w.own != nil {
		w.own.Close()
	}
}
