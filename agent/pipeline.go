package agent

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/delivery"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

// errNotAppended is the ack error of a read the pipeline stopped before
// appending: the input keeps its events unacknowledged (the file input
// reads them again after a restart; stdin counts them as lost).
var errNotAppended = errors.New("not appended: shutting down")

// readBatch is what one input Read returned.
type readBatch struct {
	events []*event.Event
	ack    event.AckFunc
	m      *inputMetrics
	un     *notAppended
}

// runningInput is an input with its counters.
type runningInput struct {
	name string
	in   inputs.Input
	m    *inputMetrics
	un   *notAppended
}

// notAppended counts an input's events whose ack carried an error: not
// appended before shutdown, or lost to a failed buffer fsync.
type notAppended struct {
	c prometheus.Counter
	n atomic.Int64 // this run's, for the shutdown log
}

func newNotAppended(reg prometheus.Registerer) *notAppended {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_input_not_appended_events_total",
		Help: "Events read by the input but not made durable in the buffer (stopped while the buffer was full " +
			"or failing, or a failed fsync); acked with an error: the file input reads them again after a restart, " +
			"stdin's are lost."})
	reg.MustRegister(c)
	return &notAppended{c: c}
}

func (u *notAppended) add(n int) {
	u.c.Add(float64(n))
	u.n.Add(int64(n))
}

// reportNotAppended logs, once per input at shutdown, how many events
// were read but left unacknowledged.
func (p *pipeline) reportNotAppended() {
	for _, ri := range p.inputs {
		if n := ri.un.n.Load(); n > 0 {
			p.log.Info("events read but not appended before shutdown; left unacknowledged with the input",
				zap.String("input", ri.name), zap.Int64("events", n))
		}
	}
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
	senders  []*delivery.Sender
	buf      *buffer.Log
	bufCfg   config.Buffer
	keepRaw  bool // an output needs the records as read (stdout plain)
	ch       chan readBatch
	m        *pipelineMetrics
	appends  sync.WaitGroup // appends not yet durable
	enc      record.Encoder
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
	bo := backoff.New(100*time.Millisecond, 5*time.Second)
	for {
		evs, ack, err := ri.in.Read(ctx)
		if len(evs) > 0 || ack != nil {
			// Sent even after ctx ended: route appends or rejects it, and
			// either way calls its ack; route never stops before p.ch closes.
			p.ch <- readBatch{events: evs, ack: ack, m: ri.m, un: ri.un}
		}
		switch {
		case errors.Is(err, io.EOF):
			return true
		case ctx.Err() != nil:
			return false
		case err != nil:
			p.log.Warn("input read failed; retrying", zap.String("input", ri.name), zap.Error(err))
			if !backoff.Sleep(ctx, bo.Next()) {
				return false
			}
		default:
			bo.Reset()
		}
	}
}

// route appends every read batch to the buffer, in read order, until
// p.ch closes. Once a batch could not be appended (the pipeline stopped
// while the buffer was full or failing), every later one is rejected too:
// nothing is appended after a gap, so no buffer mark moves past it.
func (p *pipeline) route(ctx context.Context) {
	gap := false
	for rb := range p.ch {
		rb.count()
		if gap || !p.routeOne(ctx, rb) {
			rb.acked(errNotAppended)
			gap = true
		}
	}
}

// routeOne appends one batch and reports whether it did; the batch's ack
// is then called by the buffer once the records are durable.
func (p *pipeline) routeOne(ctx context.Context, rb readBatch) bool {
	p.enc.Reset(p.buf.NextSeq())
	p.process(ctx, rb.events)
	if p.enc.Len() == 0 {
		rb.acked(nil)
		return true
	}
	if !p.makeRoom(ctx) {
		return false // stopping while the buffer is full
	}
	p.setMarks()
	return p.append(ctx, rb.ackOnly())
}

// count adds the batch to its input's counters.
func (rb readBatch) count() {
	rb.m.events.Add(float64(len(rb.events)))
	for _, e := range rb.events {
		if e.Category == "unparsed" {
			rb.m.unparsed.Inc()
		}
	}
}

// acked calls the batch's ack, if any, counting an error as events not
// appended.
func (rb readBatch) acked(err error) { rb.ackOnly()(err) }

// ackOnly is acked without the batch's events: the buffer holds it until
// the records are durable, and the events, their fields and the read
// chunk they point into need not live that long. Holding them, 100
// pipelines at full speed kept about ten read batches each waiting for
// the group commit: 1.1 GB of a 1.3 GB heap.
func (rb readBatch) ackOnly() event.AckFunc {
	n, ack, un := len(rb.events), rb.ack, rb.un
	return func(err error) {
		if err != nil {
			un.add(n)
		}
		if ack != nil {
			ack(err)
		}
	}
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
			p.enc.Drop("processor "+pr.name, dropped)
		}
		evs = out
	}
	p.enc.Events(evs, p.keepRaw)
}

// makeRoom applies buffer.when_full when the batch does not fit.
func (p *pipeline) makeRoom(ctx context.Context) bool {
	n := p.enc.Size()
	if p.buf.Full(n) {
		p.trim() // outputs may have moved on since the last GC tick
	}
	if !p.buf.Full(n) {
		p.fullOnce = false
		return true
	}
	if p.bufCfg.WhenFull == "drop_newest" {
		dropped := p.enc.DropAll("buffer full")
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
	for _, m := range p.enc.Marks() {
		p.buf.SetMark(m.Key, m.End)
	}
}

// append writes the encoded records; the input is acked once they are
// durable. A failing disk (ENOSPC, EIO) pauses intake until it recovers.
// It reports false, without calling ack, when ctx ended first.
func (p *pipeline) append(ctx context.Context, ack event.AckFunc) bool {
	bo := backoff.New(100*time.Millisecond, 5*time.Second)
	failing := false
	for {
		p.appends.Add(1)
		err := p.buf.Append(p.enc.Kinds, p.enc.Payloads, func(err error) {
			defer p.appends.Done()
			ack(err)
		})
		if err == nil {
			if failing {
				p.log.Info("buffer writable again; intake resumed")
			}
			return true
		}
		p.appends.Done()
		if !failing {
			p.log.Error("buffer append failed; intake paused, nothing lost", zap.Error(err))
			failing = true
		}
		p.m.appendErrors.Inc()
		if !backoff.Sleep(ctx, bo.Next()) {
			return false
		}
	}
}
