package agent

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

// readBatch is what one input Read returned.
type readBatch struct {
	events []*event.Event
	ack    event.AckFunc
	m      *inputMetrics
}

// runningInput is an input with its counters.
type runningInput struct {
	name string
	in   inputs.Input
	m    *inputMetrics
}

// pipeline moves events from its inputs through its processors to the
// senders of its enabled outputs.
type pipeline struct {
	name    string
	log     *zap.Logger
	inputs  []runningInput
	procs   []processors.Processor
	senders []*sender
	seq     *state.Seq
	ch      chan readBatch
}

// readInputs runs one goroutine per input until ctx ends or every input
// reached its end, then closes p.ch. It reports whether every input ended
// by itself (stdin EOF) rather than by ctx.
func (p *pipeline) readInputs(ctx context.Context) (ended bool) {
	var wg sync.WaitGroup
	var stopped sync.Once
	ended = true
	for _, ri := range p.inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !p.readInput(ctx, ri) {
				stopped.Do(func() { ended = false })
			}
		}()
	}
	wg.Wait()
	close(p.ch)
	return ended
}

// readInput reads one input; it returns true at the input's end (EOF).
func (p *pipeline) readInput(ctx context.Context, ri runningInput) bool {
	bo := newBackoff(100*time.Millisecond, 5*time.Second)
	for {
		evs, ack, err := ri.in.Read(ctx)
		if len(evs) > 0 || ack != nil {
			select {
			case p.ch <- readBatch{events: evs, ack: ack, m: ri.m}:
			case <-ctx.Done():
				return false // not routed: unacked, re-read after restart
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return true
		case ctx.Err() != nil:
			return false
		case err != nil:
			p.log.Warn("input read failed; retrying", zap.String("input", ri.name), zap.Error(err))
			if !sleep(ctx, bo.next()) {
				return false
			}
		default:
			bo.reset()
		}
	}
}

// route processes each read batch and hands its survivors to every sender
// whose `when` matches; then it closes the senders' queues.
func (p *pipeline) route(ctx context.Context) {
	defer func() {
		for _, s := range p.senders {
			close(s.in)
		}
	}()
	for rb := range p.ch {
		p.routeOne(ctx, rb)
	}
}

func (p *pipeline) routeOne(ctx context.Context, rb readBatch) {
	rb.m.events.Add(float64(len(rb.events)))
	for _, e := range rb.events {
		if e.Category == "unparsed" {
			rb.m.unparsed.Inc()
		}
	}
	evs := p.process(ctx, rb.events)
	p.assignSeq(ctx, evs)
	t := newTracker(rb.ack)
	for _, s := range p.senders {
		items := s.pick(evs, t)
		if len(items) > 0 {
			t.add(len(items))
			s.in <- items
		}
	}
	t.done(1)
}

// process runs the processors in order. A processor error keeps the events
// as they were: an event is never dropped by accident.
func (p *pipeline) process(ctx context.Context, evs []*event.Event) []*event.Event {
	for _, pr := range p.procs {
		out, err := pr.Process(ctx, evs)
		if err != nil {
			p.log.Error("processor failed; events passed on unchanged", zap.Error(err))
			continue
		}
		evs = out
	}
	return evs
}

// assignSeq numbers the events; a failing state write stops intake until
// it succeeds (back-pressure, never loss).
func (p *pipeline) assignSeq(ctx context.Context, evs []*event.Event) {
	if len(evs) == 0 {
		return
	}
	bo := newBackoff(100*time.Millisecond, 5*time.Second)
	for {
		first, err := p.seq.Next(len(evs))
		if err == nil {
			for i, e := range evs {
				e.Seq = first + uint64(i)
			}
			return
		}
		p.log.Error("storing the sequence counter failed; intake paused", zap.Error(err))
		sleep(context.WithoutCancel(ctx), bo.next())
	}
}

// pick returns the items of evs that go to s.
func (s *sender) pick(evs []*event.Event, t *tracker) []item {
	items := make([]item, 0, len(evs))
	for _, e := range evs {
		if s.cfg.When != nil {
			ok, err := s.cfg.When.Match(e)
			if err != nil {
				s.m.whenErrors.Inc()
			}
			if !ok || err != nil {
				continue
			}
		}
		items = append(items, item{e: e, t: t})
	}
	return items
}
