package delivery

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
)

// ErrRemovedState means data_dir holds undelivered events of a component
// the config no longer has.
var ErrRemovedState = errors.New("state of a removed component holds undelivered events")

// CheckRemovedState looks for state that belongs to a pipeline, input or
// output the config no longer has. State that may hold undelivered events
// stops the run unless its name is given to --discard-state; the rest is
// kept and logged. Names are "pipeline", "pipeline/input" or
// "pipeline/output".
func CheckRemovedState(dataDir string, cfg *config.Config, discard []string, log *zap.Logger) error {
	for _, name := range orphans(dataDir, cfg) {
		dir := filepath.Join(dataDir, "pipelines", name)
		if slices.Contains(discard, unescape(name)) {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			log.Warn("discarded state of a removed component", zap.String("name", unescape(name)))
			continue
		}
		if holdsUndelivered(dir) {
			return fmt.Errorf("%q: %w; add it back or run with --discard-state %s",
				unescape(name), ErrRemovedState, unescape(name))
		}
		log.Info("state of a removed component kept", zap.String("name", unescape(name)))
	}
	return nil
}

// orphans lists state directories (relative to data_dir/pipelines) that no
// pipeline, input or output of cfg owns.
func orphans(dataDir string, cfg *config.Config) []string {
	root := filepath.Join(dataDir, "pipelines")
	known := map[string]bool{}
	for _, p := range cfg.Pipelines {
		pd := url.PathEscape(p.Name)
		known[pd] = true
		for _, in := range p.Inputs {
			known[filepath.Join(pd, "inputs", url.PathEscape(in.Name))] = true
		}
		for _, o := range p.Outputs {
			known[filepath.Join(pd, "outputs", url.PathEscape(o.Name))] = true
		}
	}
	var out []string
	pipes, _ := os.ReadDir(root)
	for _, pd := range pipes {
		if !pd.IsDir() {
			continue
		}
		if !known[pd.Name()] {
			out = append(out, pd.Name())
			continue
		}
		for _, kind := range []string{"inputs", "outputs"} {
			ents, _ := os.ReadDir(filepath.Join(root, pd.Name(), kind))
			for _, e := range ents {
				if rel := filepath.Join(pd.Name(), kind, e.Name()); !known[rel] {
					out = append(out, rel)
				}
			}
		}
	}
	return out
}

// holdsUndelivered reports whether the state at dir (a pipeline's, or one
// output's) holds events an output has not delivered: a journaled batch in
// its pending/ directory, or a cursor behind the end of its pipeline's
// buffer. Inputs keep only offsets, so their state never holds events.
func holdsUndelivered(dir string) bool {
	if filepath.Base(filepath.Dir(dir)) == "inputs" {
		return false
	}
	outs := []string{dir}
	pipeDir := filepath.Dir(filepath.Dir(dir))
	if filepath.Base(filepath.Dir(dir)) != "outputs" { // a whole pipeline
		pipeDir = dir
		ents, _ := os.ReadDir(filepath.Join(dir, "outputs"))
		outs = outs[:0]
		for _, e := range ents {
			outs = append(outs, filepath.Join(dir, "outputs", e.Name()))
		}
	}
	head := bufferHead(pipeDir)
	for _, o := range outs {
		if pending, _ := os.ReadDir(filepath.Join(o, "pending")); len(pending) > 0 {
			return true
		}
		if c, err := loadCursor(o); err == nil && c.exists && c.next < head {
			return true
		}
	}
	return false
}

// bufferHead is the next sequence number of the pipeline's buffer at dir
// (1 when it has none).
func bufferHead(pipeDir string) uint64 {
	bdir := filepath.Join(pipeDir, "buffer")
	if _, err := os.Stat(bdir); err != nil {
		return 1
	}
	l, err := buffer.Open(buffer.Options{Dir: bdir, Logger: zap.NewNop()})
	if err != nil {
		return math.MaxUint64 // unreadable: assume it holds something
	}
	defer l.Close()
	return l.NextSeq()
}

// unescape turns a state path back into the user's name: "p/outputs/o" → "p/o".
func unescape(rel string) string {
	dir, base := filepath.Split(rel)
	bu, _ := url.PathUnescape(base)
	if dir == "" {
		return bu
	}
	pu, _ := url.PathUnescape(filepath.Dir(filepath.Dir(rel)))
	return pu + "/" + bu
}
