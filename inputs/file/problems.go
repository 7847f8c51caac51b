package file

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"go.uber.org/zap"
)

// failed reports a matching file that cannot be opened or read: a warning
// the first time for that path and operation (again after it recovered),
// and a count every time.
func (in *input) failed(path, op string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		return // deleted since the scan listed it: the next scan sees that
	}
	in.m.errors.WithLabelValues(op).Inc()
	if in.failing[path] == op {
		return
	}
	in.failing[path] = op
	in.m.unreadable.Set(float64(len(in.failing)))
	in.log.Warn("cannot "+op+" a matching file; retrying every scan",
		zap.String("path", path), zap.Error(err))
}

// recovered clears the failure of path.
func (in *input) recovered(path string) {
	if _, ok := in.failing[path]; ok {
		delete(in.failing, path)
		in.m.unreadable.Set(float64(len(in.failing)))
		in.log.Info("matching file readable again", zap.String("path", path))
	}
}

// forgetVanished drops the failures of paths that no longer exist: an
// unreadable file that was deleted is no longer a problem.
func (in *input) forgetVanished() {
	if len(in.failing) == 0 {
		return
	}
	for p := range in.failing {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			delete(in.failing, p)
		}
	}
	in.m.unreadable.Set(float64(len(in.failing)))
}

// checkGlobs warns about each glob that matches no file, once until it
// matches, naming the absolute pattern: a relative one is resolved against
// the working directory, which is easy to get wrong.
func (in *input) checkGlobs(matched map[string]bool) {
	for _, g := range in.cfg.Paths {
		if matched[g] {
			delete(in.unmatched, g)
			continue
		}
		if in.unmatched[g] {
			continue
		}
		in.unmatched[g] = true
		abs, _ := filepath.Abs(g)
		in.log.Warn("no file matches this path yet; it is checked every scan",
			zap.String("glob", g), zap.String("resolved", abs))
	}
}
