// Package agent is the runtime: it builds the pipelines of a config back to
// front, runs them, and stops them upstream first.
package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/delivery"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/internal/dirwatch"
)

// ErrRemovedState means data_dir holds undelivered events of a component
// the config no longer has (SPEC §1, --discard-state).
var ErrRemovedState = delivery.ErrRemovedState

// ErrUndelivered means every input ended (stdin EOF) but shutdown_timeout
// passed before every event was written; the rest was not acknowledged.
var ErrUndelivered = errors.New("shutdown_timeout passed before every event was delivered")

// Options are the run-time settings that do not come from the config.
type Options struct {
	DataDir      string   // already resolved (flag, config, or default)
	DiscardState []string // names of removed components whose state may go
	Logger       *zap.Logger
	// Reload receives one value per SIGHUP; Load then reads the config
	// again (same path). Both nil: no reloads.
	Reload <-chan struct{}
	Load   func() (*config.Config, config.Diagnostics)

	watch *dirwatch.Watcher // Run's, shared by the inputs of every pipeline
}

// Run runs every enabled pipeline until ctx ends or every pipeline has
// ended by itself; then it drains within cfg.ShutdownTimeout. The metrics
// server answers until the pipelines have drained.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	lock, err := state.Acquire(opts.DataDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := delivery.CheckRemovedState(opts.DataDir, cfg, opts.DiscardState, opts.Logger); err != nil {
		return err
	}
	w, err := dirwatch.New()
	if err != nil {
		opts.Logger.Info("file watching unavailable; file inputs poll", zap.Error(err))
	}
	defer w.Close() // after the pipelines: their inputs released it
	opts.watch = w
	reg := metrics.New()
	if cfg.MetricsAddr != "" {
		srv, err := reg.Serve(cfg.MetricsAddr, func(err error) {
			opts.Logger.Error("metrics server stopped serving", zap.Error(err))
		})
		if err != nil {
			return fmt.Errorf("metrics_addr: %w", err)
		}
		defer closeServer(srv, opts.Logger)
	}
	sv := newSupervisor(ctx, cfg, opts, reg)
	if err := sv.startAll(); err != nil {
		return err
	}
	reg.Started()
	stopWatch := sv.watch()
	defer stopWatch()
	return sv.wait()
}

// closeServer stops the metrics server once the pipelines have drained.
func closeServer(srv *metrics.Server, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		log.Warn("metrics server", zap.Error(err))
	}
}

// supervisor starts, stops and restarts pipelines: at start, on a
// reload (reload.go) and when they end.
type supervisor struct {
	ctx     context.Context
	cfg     *config.Config
	opts    Options
	reg     *metrics.Registry
	mu      sync.Mutex // guards running for the watchdog
	running map[string]*runningPipe
	failed  map[string]bool // pipelines a reload could not start; retried by the next
	wake    chan struct{}   // a pipeline ended
	errs    []error
}

// runningPipe is one started pipeline and what stops it.
type runningPipe struct {
	p      *pipeline
	pc     *config.Pipeline
	reg    *metrics.Registry // the pipeline's own metrics
	fp     string            // fingerprint of its config (reload_fingerprint.go)
	cancel context.CancelFunc
	done   chan struct{}
	err    error // what run returned, once done is closed
	watch  *pipeWatch
}

func newSupervisor(ctx context.Context, cfg *config.Config, opts Options, reg *metrics.Registry) *supervisor {
	return &supervisor{ctx: ctx, cfg: cfg, opts: opts, reg: reg, running: map[string]*runningPipe{},
		failed: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// startAll builds every enabled pipeline, then runs them; on a failure it
// closes the ones already built.
func (s *supervisor) startAll() error {
	fps := fingerprints(s.cfg)
	var built []*runningPipe
	for _, pc := range s.cfg.Pipelines {
		if !pc.Enabled {
			continue
		}
		r, err := s.build(pc, fps[pc.Name])
		if err != nil {
			for _, q := range built {
				q.p.close(context.Background())
			}
			return err
		}
		built = append(built, r)
	}
	for _, r := range built {
		s.launch(r)
	}
	return nil
}

// build creates a pipeline with a fresh metrics registry of its own.
func (s *supervisor) build(pc *config.Pipeline, fp string) (*runningPipe, error) {
	reg := s.reg.Pipeline(pc.Name, enabledOutputs(pc))
	p, err := build(pc, s.opts, reg)
	if err != nil {
		s.reg.PipelineFailed(pc.Name, err)
		return nil, fmt.Errorf("pipeline %q: %w", pc.Name, err)
	}
	return &runningPipe{p: p, pc: pc, reg: reg, fp: fp, done: make(chan struct{}), watch: newPipeWatch(pc)}, nil
}

func enabledOutputs(pc *config.Pipeline) []string {
	var names []string
	for _, oc := range pc.Outputs {
		if oc.Enabled {
			names = append(names, oc.Name)
		}
	}
	return names
}

// launch runs r on a goroutine of its own until its context ends or its
// inputs end; done closes when it has drained and closed.
func (s *supervisor) launch(r *runningPipe) {
	ctx, cancel := context.WithCancel(s.ctx)
	r.cancel = cancel
	timeout := s.cfg.ShutdownTimeout
	s.mu.Lock()
	s.running[r.pc.Name] = r
	delete(s.failed, r.pc.Name)
	s.mu.Unlock()
	go func() {
		defer func() {
			close(r.done)
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}()
		r.err = r.p.run(ctx, timeout)
	}()
}

// stop cancels a pipeline and waits until it drained (within its
// shutdown_timeout) and closed; it is then no longer running.
func (s *supervisor) stop(r *runningPipe) {
	r.cancel()
	<-r.done
	s.forget(r)
	if r.err != nil {
		s.opts.Logger.Error("pipeline stopped with an error", zap.String("pipeline", r.pc.Name), zap.Error(r.err))
	}
}

func (s *supervisor) forget(r *runningPipe) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[r.pc.Name] == r {
		delete(s.running, r.pc.Name)
	}
}

// wait reaps ended pipelines and applies reloads until no pipeline runs
// (and, after a reload left one failed, until ctx ends).
func (s *supervisor) wait() error {
	done := s.ctx.Done()
	for {
		s.reap()
		if len(s.snapshot()) == 0 && (len(s.failed) == 0 || s.ctx.Err() != nil) {
			return errors.Join(s.errs...)
		}
		select {
		case <-s.wake:
		case <-done:
			done = nil
		case <-s.opts.Reload:
			if s.ctx.Err() == nil {
				s.reload()
			}
		}
	}
}

// reap forgets the pipelines that ended, keeping their errors.
func (s *supervisor) reap() {
	for _, r := range s.snapshot() {
		select {
		case <-r.done:
			s.forget(r)
			if r.err != nil {
				s.errs = append(s.errs, r.err)
			}
		default:
		}
	}
}

// snapshot lists the running pipelines.
func (s *supervisor) snapshot() []*runningPipe {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := make([]*runningPipe, 0, len(s.running))
	for _, r := range s.running {
		rs = append(rs, r)
	}
	return rs
}

// run moves events until the inputs stop, lets every sender deliver up to
// the last record appended within timeout, then closes inputs
// (checkpoints), outputs and the buffer. What was not delivered stays in
// the buffer and the journal for the next run.
func (p *pipeline) run(ctx context.Context, timeout time.Duration) error {
	sendCtx, cancelSend := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSend()
	var wg sync.WaitGroup
	for _, s := range p.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Run(sendCtx)
		}()
	}
	gcDone := make(chan struct{})
	go p.gc(sendCtx, gcDone)
	routed := make(chan struct{})
	go func() {
		defer close(routed)
		p.route(ctx)
	}()
	ended := p.readInputs(ctx)
	<-routed
	p.appends.Wait()
	p.reportNotAppended()
	target := p.buf.NextSeq() - 1 // earlier runs' backlog included
	for _, s := range p.senders {
		s.Stop(target)
	}
	deadline := time.AfterFunc(timeout, cancelSend)
	wg.Wait()
	deadline.Stop()
	cancelSend()
	<-gcDone
	kept := p.undelivered()
	p.close(context.Background())
	if kept > 0 {
		p.log.Warn("shutdown_timeout passed; undelivered events stay in the buffer for the next run",
			zap.Int("events_at_most", kept))
		if ended {
			return fmt.Errorf("pipeline %q: %w", p.name, ErrUndelivered)
		}
	}
	return nil
}

// gc deletes buffer segments that every output's cursor has passed.
func (p *pipeline) gc(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.trim()
			return
		case <-t.C:
			p.trim()
		case <-p.kick:
			p.trim()
		}
	}
}

func (p *pipeline) trim() {
	floor := p.buf.NextSeq()
	for _, s := range p.senders {
		floor = min(floor, s.Position())
	}
	if err := p.buf.Trim(floor); err != nil {
		p.log.Warn("trimming the buffer failed", zap.Error(err))
	}
}

// undelivered is the most events one output left behind, each counted
// from its cursor to the end of the buffer (an upper bound: drop records
// and events its when refuses count too).
func (p *pipeline) undelivered() int {
	n := 0
	for _, s := range p.senders {
		n = max(n, s.Unsent())
	}
	return n
}

// close stops inputs first (they persist their acked checkpoints), then
// outputs, then the sequence counter.
func (p *pipeline) close(ctx context.Context) {
	for _, ri := range p.inputs {
		if err := ri.in.Close(ctx); err != nil {
			p.log.Error("closing input", zap.String("input", ri.name), zap.Error(err))
		}
	}
	for _, s := range p.senders {
		if err := s.Close(ctx); err != nil {
			p.log.Error("closing output", zap.String("output", s.Name()), zap.Error(err))
		}
	}
	if p.buf == nil {
		return
	}
	if err := p.buf.Close(); err != nil {
		p.log.Error("closing the buffer", zap.Error(err))
	}
}
