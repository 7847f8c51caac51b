package agent

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// item is one event routed to one output, with the tracker to release
// once the output has written it.
type item struct {
	e *event.Event
	t *tracker
}

// openBatch collects the events of one partition until a bound is reached.
// For a LineWriter output it keeps their rendered envelopes, not the events.
type openBatch struct {
	partition   string
	events      []*event.Event
	lines       [][]byte
	acks        []ackRun
	count       int
	first, last uint64
	time        time.Time
	bytes       int64
	opened      time.Time
}

// lineBlock is the size of the blocks that hold rendered lines: growing
// one buffer by doubling would hold up to twice max_bytes.
const lineBlock = 1 << 20

// render appends e's envelope to the last block, starting a new block when
// it is full; it returns the bytes added.
func (b *openBatch) render(e *event.Event) int64 {
	k := len(b.lines) - 1
	if k < 0 || len(b.lines[k]) >= lineBlock {
		b.lines = append(b.lines, make([]byte, 0, lineBlock+lineBlock/4))
		k++
	}
	n := len(b.lines[k])
	b.lines[k] = append(e.AppendJSON(b.lines[k]), '\n')
	return int64(len(b.lines[k]) - n)
}

// ackRun releases n deliveries of one tracker: consecutive events mostly
// come from the same input read.
type ackRun struct {
	t *tracker
	n int
}

func (b *openBatch) add(e *event.Event, t *tracker, lines bool) {
	if b.count == 0 {
		b.first, b.time = e.Seq, e.Time
	}
	b.count++
	b.last = e.Seq
	if lines {
		b.bytes += b.render(e)
	} else {
		b.events = append(b.events, e)
		b.bytes += int64(len(e.Raw)) + envelopeBytes
	}
	if k := len(b.acks) - 1; k >= 0 && b.acks[k].t == t {
		b.acks[k].n++
	} else {
		b.acks = append(b.acks, ackRun{t: t, n: 1})
	}
}

// sender batches the events routed to one output and writes each batch
// with retries; it is the only goroutine that calls the output's Write.
type sender struct {
	pipeline, name, stream string
	out                    outputs.Output
	part                   outputs.Partitioner
	lines                  bool // out is an outputs.LineWriter
	cfg                    *config.Output
	maxPartitions          int
	in                     chan []item
	log                    *zap.Logger
	m                      *outputMetrics

	open    map[string]*openBatch
	failing string // "", "retryable" or "permanent": logged once per change
	unsent  int    // events whose write was abandoned at shutdown
}

// run consumes routed items until in is closed, then flushes every open
// batch. ctx bounds the writes: when it ends, unwritten batches are left
// unacknowledged (their inputs re-read them after a restart).
func (s *sender) run(ctx context.Context) {
	s.open = map[string]*openBatch{}
	tick := time.NewTicker(s.tickEvery())
	defer tick.Stop()
	for {
		select {
		case items, ok := <-s.in:
			if !ok {
				s.flushAll(ctx)
				return
			}
			s.add(ctx, items)
			if s.cfg.Batch.Interval == 0 {
				s.drainReady(ctx)
				s.flushAll(ctx)
			}
		case now := <-tick.C:
			s.flushExpired(ctx, now)
		}
	}
}

func (s *sender) tickEvery() time.Duration {
	d := s.cfg.Batch.Interval / 4
	return min(max(d, 10*time.Millisecond), time.Second)
}

// drainReady takes whatever is queued without waiting, so that an
// interval of 0 still writes one batch per burst rather than per read.
func (s *sender) drainReady(ctx context.Context) {
	for {
		select {
		case items, ok := <-s.in:
			if !ok {
				return
			}
			s.add(ctx, items)
		default:
			return
		}
	}
}

func (s *sender) add(ctx context.Context, items []item) {
	for _, it := range items {
		key := ""
		if s.part != nil {
			key = s.part.Partition(it.e)
		}
		b := s.open[key]
		if b == nil {
			b = s.openPartition(ctx, key)
		}
		b.add(it.e, it.t, s.lines)
		if s.full(b) {
			s.flush(ctx, b)
		}
	}
}

// envelopeBytes approximates what the envelope adds to an event's size
// when the events are kept unrendered.
const envelopeBytes = 160

func (s *sender) full(b *openBatch) bool {
	bc := s.cfg.Batch
	return (bc.MaxEvents > 0 && b.count >= bc.MaxEvents) ||
		(bc.MaxBytes > 0 && b.bytes >= bc.MaxBytes)
}

func (s *sender) openPartition(ctx context.Context, key string) *openBatch {
	if s.maxPartitions > 0 && len(s.open) >= s.maxPartitions {
		s.flush(ctx, s.oldest())
	}
	b := &openBatch{partition: key, opened: time.Now()}
	s.open[key] = b
	return b
}

func (s *sender) oldest() *openBatch {
	var o *openBatch
	for _, b := range s.open {
		if o == nil || b.opened.Before(o.opened) {
			o = b
		}
	}
	return o
}

func (s *sender) flushExpired(ctx context.Context, now time.Time) {
	for _, b := range s.open {
		if now.Sub(b.opened) >= s.cfg.Batch.Interval {
			s.flush(ctx, b)
		}
	}
}

func (s *sender) flushAll(ctx context.Context) {
	for _, b := range s.open {
		s.flush(ctx, b)
	}
}

// flush writes b and forgets it; its trackers are released only when the
// write succeeded.
func (s *sender) flush(ctx context.Context, b *openBatch) {
	delete(s.open, b.partition)
	if b.count == 0 {
		return
	}
	if !s.write(ctx, s.batch(b)) {
		s.unsent += b.count
		return
	}
	for _, a := range b.acks {
		a.t.done(a.n)
	}
	s.m.events.Add(float64(b.count))
	s.m.batches.Inc()
}

func (s *sender) batch(b *openBatch) *event.Batch {
	return &event.Batch{
		Pipeline:  s.pipeline,
		Output:    s.name,
		Stream:    s.stream,
		ID:        fmt.Sprintf("%s-%020d", s.stream, b.first),
		Partition: b.partition,
		FirstSeq:  b.first,
		LastSeq:   b.last,
		Time:      b.time,
		Count:     b.count,
		Events:    b.events,
		Lines:     b.lines,
	}
}
