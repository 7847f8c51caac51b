package agent

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// memOutput records batches; fail makes the next writes fail. The real
// stores are tested end to end in e2e/; this checks the sender's logic.
type memOutput struct {
	mu      sync.Mutex
	batches []*event.Batch
	fail    []error
}

func (m *memOutput) Write(_ context.Context, b *event.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.fail) > 0 {
		err := m.fail[0]
		m.fail = m.fail[1:]
		return err
	}
	m.batches = append(m.batches, b)
	return nil
}

func (m *memOutput) Close(context.Context) error { return nil }

// Partition splits by the first byte of Raw.
func (m *memOutput) Partition(e *event.Event) string { return string(e.Raw[:1]) }

func newTestSender(out *memOutput, bc outputs.BatchConfig) *sender {
	cfg := &config.Output{Batch: bc, Retry: config.Retry{Initial: time.Millisecond, Max: 2 * time.Millisecond},
		PermanentRetryInterval: 5 * time.Millisecond}
	return &sender{pipeline: "p", name: "o", stream: "s", out: out, part: out, cfg: cfg,
		in: make(chan []item, 8), log: zap.NewNop(), m: newOutputMetrics(metrics.New(), "p", "o")}
}

func events(t *tracker, raws ...string) []item {
	var items []item
	for i, r := range raws {
		items = append(items, item{e: &event.Event{Raw: []byte(r), Seq: uint64(i + 1)}, t: t})
	}
	return items
}

func TestSenderBatchesPerPartitionAndAcksOnce(t *testing.T) {
	out := &memOutput{}
	s := newTestSender(out, outputs.BatchConfig{MaxEvents: 2, Interval: time.Hour})
	acks := 0
	tr := newTracker(func(err error) { acks++ })
	items := events(tr, "a1", "b1", "a2", "b2", "a3")
	tr.add(len(items))
	go func() { s.in <- items; close(s.in) }()
	s.run(context.Background())
	tr.done(1)
	if len(out.batches) != 3 {
		t.Fatalf("got %d batches, want 3 (a1a2, b1b2, a3)", len(out.batches))
	}
	for _, b := range out.batches {
		for _, e := range b.Events {
			if string(e.Raw[:1]) != b.Partition {
				t.Errorf("event %q in partition %q", e.Raw, b.Partition)
			}
		}
	}
	if acks != 1 {
		t.Fatalf("acks = %d, want exactly 1", acks)
	}
	if got := out.batches[0].ID; got != "s-00000000000000000001" {
		t.Errorf("batch ID = %q", got)
	}
}

func TestSenderRetriesUntilWritten(t *testing.T) {
	out := &memOutput{fail: []error{errors.New("down"), outputs.Permanent(errors.New("denied")), errors.New("down")}}
	s := newTestSender(out, outputs.BatchConfig{MaxEvents: 10, Interval: time.Hour})
	acked := false
	tr := newTracker(func(error) { acked = true })
	items := events(tr, "a1")
	tr.add(1)
	go func() { s.in <- items; close(s.in) }()
	s.run(context.Background())
	tr.done(1)
	if len(out.batches) != 1 || !acked {
		t.Fatalf("batches %d, acked %v; want the batch written after the failures", len(out.batches), acked)
	}
}

func TestSenderLeavesUnwrittenUnackedWhenCtxEnds(t *testing.T) {
	out := &memOutput{fail: make([]error, 1000)}
	for i := range out.fail {
		out.fail[i] = errors.New("down")
	}
	s := newTestSender(out, outputs.BatchConfig{MaxEvents: 10, Interval: time.Hour})
	acked := false
	tr := newTracker(func(error) { acked = true })
	items := events(tr, "a1", "a2")
	tr.add(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	go func() { s.in <- items; close(s.in) }()
	s.run(ctx)
	tr.done(1)
	if acked || s.unsent != 2 {
		t.Fatalf("acked %v, unsent %d; want no ack and 2 unsent", acked, s.unsent)
	}
}

func TestSenderIntervalFlush(t *testing.T) {
	out := &memOutput{}
	s := newTestSender(out, outputs.BatchConfig{MaxEvents: 1000, Interval: 20 * time.Millisecond})
	tr := newTracker(nil)
	items := events(tr, "a1")
	tr.add(1)
	done := make(chan struct{})
	go func() { s.run(context.Background()); close(done) }()
	s.in <- items
	deadline := time.Now().Add(2 * time.Second)
	for {
		out.mu.Lock()
		n := len(out.batches)
		out.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the interval did not flush the batch")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(s.in)
	<-done
}

// lineOutput takes rendered envelopes instead of events.
type lineOutput struct{ memOutput }

func (*lineOutput) WritesLines() {}

func TestSenderRendersLinesForLineWriters(t *testing.T) {
	out := &lineOutput{}
	s := newTestSender(&out.memOutput, outputs.BatchConfig{MaxEvents: 3, Interval: time.Hour})
	s.out, s.lines = out, true
	acks := 0
	tr := newTracker(func(error) { acks++ })
	items := events(tr, "a1", "a2", "a3")
	tr.add(len(items))
	go func() { s.in <- items; close(s.in) }()
	s.run(context.Background())
	tr.done(1)
	if len(out.batches) != 1 {
		t.Fatalf("got %d batches, want 1", len(out.batches))
	}
	b := out.batches[0]
	var n int
	for _, block := range b.Lines {
		n += bytes.Count(block, []byte("\n"))
	}
	if b.Events != nil || n != 3 || b.Count != 3 || b.FirstSeq != 1 || b.LastSeq != 3 || acks != 1 {
		t.Fatalf("events %v, %d lines, count %d, seq %d-%d, acks %d", b.Events, n, b.Count, b.FirstSeq, b.LastSeq, acks)
	}
}
