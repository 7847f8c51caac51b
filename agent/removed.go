package agent

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
)

// ErrRemovedState means data_dir holds undelivered events of a component
// the config no longer has.
var ErrRemovedState = errors.New("state of a removed component holds undelivered events")

// checkRemovedState looks for state that belongs to a pipeline, input or
// output the config no longer has. State that may hold undelivered events
// stops the run unless its name is given to --discard-state; the rest is
// kept and logged. Names are "pipeline", "pipeline/input" or
// "pipeline/output".
func checkRemovedState(dataDir string, cfg *config.Config, discard []string, log *zap.Logger) error {
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

// holdsUndelivered reports whether dir holds events not yet delivered: a
// journaled batch in an output's "pending" directory. Inputs keep only
// offsets, so their state never holds events.
func holdsUndelivered(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(path)) == "pending" {
			found = true
		}
		return nil
	})
	return found
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
