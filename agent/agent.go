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
}

// Run runs every enabled pipeline until ctx ends or every pipeline has
// ended by itself; then it drains within cfg.ShutdownTimeout.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	lock, err := state.Acquire(opts.DataDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := delivery.CheckRemovedState(opts.DataDir, cfg, opts.DiscardState, opts.Logger); err != nil {
		return err
	}
	reg := metrics.New()
	if cfg.MetricsAddr != "" {
		if err := reg.Serve(ctx, cfg.MetricsAddr); err != nil {
			return fmt.Errorf("metrics_addr: %w", err)
		}
	}
	pipes, err := buildAll(cfg, opts, reg)
	if err != nil {
		return err
	}
	return runAll(ctx, pipes, cfg.ShutdownTimeout)
}

// buildAll builds every enabled pipeline; on failure it closes the ones
// already built.
func buildAll(cfg *config.Config, opts Options, reg *metrics.Registry) ([]*pipeline, error) {
	var pipes []*pipeline
	for _, pc := range cfg.Pipelines {
		if !pc.Enabled {
			continue
		}
		p, err := build(pc, opts, reg)
		if err != nil {
			for _, q := range pipes {
				q.close(context.Background())
			}
			return nil, fmt.Errorf("pipeline %q: %w", pc.Name, err)
		}
		pipes = append(pipes, p)
	}
	return pipes, nil
}

func runAll(ctx context.Context, pipes []*pipeline, timeout time.Duration) error {
	var wg sync.WaitGroup
	errs := make([]error, len(pipes))
	for i, p := range pipes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.run(ctx, timeout)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
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
