package agent

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/delivery"
)

// reloadPlan is what a valid new config changes, by pipeline name.
type reloadPlan struct {
	cfg                                *config.Config
	fps                                map[string]string
	unchanged, changed, added, removed []string
	next                               map[string]*config.Pipeline // enabled pipelines of cfg
}

// reload reads the config again (SIGHUP). An invalid one is logged,
// problem by problem, and the running config stays. A valid one restarts
// only the pipelines whose config changed, starts the added ones and
// stops the removed ones, whose state stays in data_dir.
func (s *supervisor) reload() {
	log := s.opts.Logger
	log.Info("SIGHUP: reloading the configuration")
	if s.opts.Load == nil {
		log.Warn("config reload not available (embedded config); nothing changed")
		return
	}
	cfg, diags := s.opts.Load()
	if len(diags) > 0 {
		for _, d := range diags {
			log.Error("config reload: invalid config", zap.String("problem", d.String()))
		}
		log.Error("config reload failed; the running config stays", zap.Int("problems", len(diags)))
		s.reg.CountReload(false)
		return
	}
	plan, err := s.plan(cfg)
	if err != nil {
		log.Error("config reload refused; the running config stays", zap.Error(err))
		s.reg.CountReload(false)
		return
	}
	err = s.apply(plan)
	s.reg.CountReload(err == nil)
	summary := []zap.Field{zap.Strings("unchanged", plan.unchanged), zap.Strings("changed", plan.changed),
		zap.Strings("added", plan.added), zap.Strings("removed", plan.removed)}
	if err != nil {
		log.Error("config reloaded", append(summary, zap.NamedError("failed", err))...)
		return
	}
	log.Info("config reloaded", summary...)
}

// plan compares the new config's pipelines with the running ones.
func (s *supervisor) plan(cfg *config.Config) (*reloadPlan, error) {
	pl := &reloadPlan{cfg: cfg, fps: fingerprints(cfg), next: map[string]*config.Pipeline{}}
	for _, pc := range cfg.Pipelines {
		if pc.Enabled {
			pl.next[pc.Name] = pc
		}
	}
	if len(pl.next) == 0 {
		return nil, errors.New("the new config has no enabled pipeline")
	}
	running := map[string]*runningPipe{}
	for _, r := range s.snapshot() {
		running[r.pc.Name] = r
	}
	for _, name := range sortedNames(pl.next) {
		pl.classify(name, running[name], s.opts.Logger)
	}
	for _, name := range sortedNames(running) {
		if pl.next[name] == nil {
			if readsStdin(running[name].pc) {
				return nil, fmt.Errorf("pipeline %q reads stdin and cannot be stopped by a reload", name)
			}
			pl.removed = append(pl.removed, name)
		}
	}
	s.warnStatic(cfg)
	return pl, s.checkRemovedState(pl, running)
}

// classify sorts one enabled pipeline of the new config. A pipeline that
// reads stdin keeps running as it is: its input cannot be opened twice.
func (pl *reloadPlan) classify(name string, r *runningPipe, log *zap.Logger) {
	switch {
	case r == nil:
		pl.added = append(pl.added, name)
	case r.fp == pl.fps[name]:
		pl.unchanged = append(pl.unchanged, name)
	case readsStdin(r.pc) || readsStdin(pl.next[name]):
		log.Warn("pipeline reads stdin: its config change applies at the next start", zap.String("pipeline", name))
		pl.unchanged = append(pl.unchanged, name)
		delete(pl.next, name)
	default:
		pl.changed = append(pl.changed, name)
	}
}

func readsStdin(pc *config.Pipeline) bool {
	return slices.ContainsFunc(pc.Inputs, func(ic *config.Input) bool { return ic.Enabled && ic.Type == "stdin" })
}

// warnStatic logs the settings a reload cannot change.
func (s *supervisor) warnStatic(cfg *config.Config) {
	if cfg.DataDir != s.cfg.DataDir {
		s.opts.Logger.Warn("config reload: data_dir changes at the next start only", zap.String("data_dir", s.opts.DataDir))
	}
	if cfg.MetricsAddr != s.cfg.MetricsAddr {
		s.opts.Logger.Warn("config reload: metrics_addr changes at the next start only",
			zap.String("metrics_addr", s.cfg.MetricsAddr))
	}
}

// checkRemovedState applies SPEC §1 to the inputs and outputs a changed
// pipeline no longer has: one whose state holds undelivered events
// refuses the reload, as it would stop a start (its events would
// otherwise be trimmed from the buffer). Removed pipelines stop with
// their state kept: they count as known here.
func (s *supervisor) checkRemovedState(pl *reloadPlan, running map[string]*runningPipe) error {
	known := *pl.cfg
	known.Pipelines = slices.Clone(known.Pipelines)
	for _, name := range pl.removed {
		known.Pipelines = append(known.Pipelines, running[name].pc)
	}
	return delivery.CheckRemovedState(s.opts.DataDir, &known, nil, s.opts.Logger)
}

// apply stops the changed and removed pipelines (in parallel, each
// draining within shutdown_timeout), then starts the changed and added
// ones on the same data_dir state.
func (s *supervisor) apply(pl *reloadPlan) error {
	s.stopAll(pl, append(slices.Clone(pl.changed), pl.removed...))
	for _, name := range pl.removed {
		s.reg.RemovePipeline(name)
		s.opts.Logger.Warn("pipeline removed from the config: stopped, its state stays in data_dir "+
			"(a start exits 2 while it holds undelivered events, unless --discard-state names it)",
			zap.String("pipeline", name))
	}
	s.cfg = s.mergedConfig(pl)
	if s.ctx.Err() != nil { // stopping meanwhile: start nothing
		return nil
	}
	var errs []error
	for _, name := range append(slices.Clone(pl.changed), pl.added...) {
		r, err := s.build(pl.next[name], pl.fps[name])
		if err != nil {
			s.opts.Logger.Error("config reload: pipeline failed to start", zap.String("pipeline", name), zap.Error(err))
			s.failed[name] = true
			errs = append(errs, err)
			continue
		}
		s.launch(r)
		s.opts.Logger.Info("pipeline started by reload", zap.String("pipeline", name))
	}
	return errors.Join(errs...)
}

// stopAll stops the named running pipelines, in parallel.
func (s *supervisor) stopAll(pl *reloadPlan, names []string) {
	var wg sync.WaitGroup
	for _, r := range s.snapshot() {
		if !slices.Contains(names, r.pc.Name) {
			continue
		}
		s.opts.Logger.Info("pipeline stopping for reload", zap.String("pipeline", r.pc.Name),
			zap.Bool("removed", slices.Contains(pl.removed, r.pc.Name)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop(r)
		}()
	}
	wg.Wait()
}

// mergedConfig is the new config but for the settings only a start
// changes; it forgets failed pipelines the new config no longer has.
func (s *supervisor) mergedConfig(pl *reloadPlan) *config.Config {
	for name := range s.failed {
		if pl.next[name] == nil {
			delete(s.failed, name)
			s.reg.RemovePipeline(name)
		}
	}
	cfg := *pl.cfg
	cfg.DataDir, cfg.MetricsAddr = s.cfg.DataDir, s.cfg.MetricsAddr
	return &cfg
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
