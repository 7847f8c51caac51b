package agent

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
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

// namedProcessor is a processor with the name its drop records carry.
type namedProcessor struct {
	name string
	p    processors.Processor
}

// pipeline moves events from its inputs through its processors into its
// durable buffer (ack 1 to the inputs), from which each output's sender
// reads on its own.
type pipeline struct {
	name     string
	log      *zap.Logger
	inputs   []runningInput
	procs    []namedProcessor
	senders  []*sender
	buf      *buffer.Log
	bufCfg   config.Buffer
	keepRaw  bool // an output needs the records as read (stdout plain)
	ch       chan readBatch
	m        *pipelineMetrics
	appends  sync.WaitGroup // appends not yet durable
	enc      encoder
	fullOnce bool
	kick     chan struct{} // a sender moved its cursor: trim soon
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
				return false // not appended: unacked, read again after a restart
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

// route appends every read batch to the buffer, in read order.
func (p *pipeline) route(ctx context.Context) {
	for rb := range p.ch {
		p.routeOne(ctx, rb)
	}
}

func (p *pipeline) routeOne(ctx context.Context, rb readBatch) {
	ack := rb.ack
	if ack == nil {
		ack = func(error) {}
	}
	rb.m.events.Add(float64(len(rb.events)))
	for _, e := range rb.events {
		if e.Category == "unparsed" {
			rb.m.unparsed.Inc()
		}
	}
	p.enc.reset(p.buf.NextSeq())
	p.process(ctx, rb.events)
	if p.enc.len() == 0 {
		ack(nil)
		return
	}
	if !p.makeRoom(ctx) {
		return // stopping while the buffer is full: unacked, read again later
	}
	p.setMarks()
	p.append(ctx, ack)
}

// process runs the processors in order and encodes the survivors; each
// processor's drops become one drop record. A processor error keeps the
// events as they were: an event is never dropped by accident.
func (p *pipeline) process(ctx context.Context, evs []*event.Event) {
	for _, pr := range p.procs {
		out, err := pr.p.Process(ctx, evs)
		if err != nil {
			p.log.Error("processor failed; events passed on unchanged", zap.String("processor", pr.name), zap.Error(err))
			continue
		}
		if dropped := evs[len(out):]; len(dropped) > 0 {
			p.enc.drop("processor "+pr.name, dropped)
		}
		evs = out
	}
	p.enc.events(evs, p.keepRaw)
}

// makeRoom applies buffer.when_full when the batch does not fit.
func (p *pipeline) makeRoom(ctx context.Context) bool {
	n := p.enc.size()
	if p.buf.Full(n) {
		p.trim() // outputs may have moved on since the last GC tick
	}
	if !p.buf.Full(n) {
		p.fullOnce = false
		return true
	}
	if p.bufCfg.WhenFull == "drop_newest" {
		dropped := p.enc.dropAll("buffer full")
		p.m.dropped.Add(float64(dropped))
		if !p.fullOnce {
			p.log.Warn("buffer full: dropping the newest events (when_full = drop_newest)", zap.Int("events", dropped))
			p.fullOnce = true
		}
		return true
	}
	if !p.fullOnce {
		p.log.Warn("buffer full: inputs paused until outputs catch up (when_full = block)")
		p.fullOnce = true
	}
	return p.buf.WaitSpace(ctx, n) == nil
}

// setMarks tells the buffer where each source's last record ends, so that
// an input resumes after it even if its own checkpoint is older.
func (p *pipeline) setMarks() {
	for _, m := range p.enc.marks() {
		p.buf.SetMark(m.key, m.end)
	}
}

// append writes the encoded records; the input is acked once they are
// durable. A failing disk (ENOSPC, EIO) pauses intake until it recovers.
func (p *pipeline) append(ctx context.Context, ack event.AckFunc) {
	bo := newBackoff(100*time.Millisecond, 5*time.Second)
	failing := false
	for {
		p.appends.Add(1)
		err := p.buf.Append(p.enc.kinds, p.enc.payloads, func(err error) {
			defer p.appends.Done()
			ack(err)
		})
		if err == nil {
			if failing {
				p.log.Info("buffer writable again; intake resumed")
			}
			return
		}
		p.appends.Done()
		if !failing {
			p.log.Error("buffer append failed; intake paused, nothing lost", zap.Error(err))
			failing = true
		}
		p.m.appendErrors.Inc()
		if !sleep(ctx, bo.next()) {
			return // unacked: read again after a restart
		}
	}
}
