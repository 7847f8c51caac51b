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

// openBatch collects the items of one partition until a bound is reached.
type openBatch struct {
	partition string
	items     []item
	bytes     int64
	opened    time.Time
}

// sender batches the events routed to one output and writes each batch
// with retries; it is the only goroutine that calls the output's Write.
type sender struct {
	pipeline, name, stream string
	out                    outputs.Output
	part                   outputs.Partitioner
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
		b.items = append(b.items, it)
		b.bytes += int64(len(it.e.Raw)) + envelopeBytes
		if s.full(b) {
			s.flush(ctx, b)
		}
	}
}

// envelopeBytes approximates what the envelope adds to an event's size.
const envelopeBytes = 160

func (s *sender) full(b *openBatch) bool {
	bc := s.cfg.Batch
	return (bc.MaxEvents > 0 && len(b.items) >= bc.MaxEvents) ||
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
	if len(b.items) == 0 {
		return
	}
	if !s.write(ctx, s.batch(b)) {
		s.unsent += len(b.items)
		return
	}
	for _, it := range b.items {
		it.t.done(1)
	}
	s.m.events.Add(float64(len(b.items)))
	s.m.batches.Inc()
}

func (s *sender) batch(b *openBatch) *event.Batch {
	evs := make([]*event.Event, len(b.items))
	for i, it := range b.items {
		evs[i] = it.e
	}
	first := evs[0].Seq
	return &event.Batch{
		Pipeline:  s.pipeline,
		Output:    s.name,
		Stream:    s.stream,
		ID:        fmt.Sprintf("%s-%020d", s.stream, first),
		Partition: b.partition,
		FirstSeq:  first,
		LastSeq:   evs[len(evs)-1].Seq,
		Time:      evs[0].Time,
		Events:    evs,
	}
}
