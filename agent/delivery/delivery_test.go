package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// memOut is a non-journaled output (like stdout): it keeps the sequence
// numbers it wrote, or fails every write while down.
type memOut struct {
	mu   sync.Mutex
	down bool
	seqs []uint64
}

func (m *memOut) Close(context.Context) error { return nil }

func (m *memOut) Write(_ context.Context, b *event.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errors.New("pipe blocked")
	}
	for _, e := range b.Events {
		m.seqs = append(m.seqs, e.Seq)
	}
	return nil
}

// probeStore is a memStore that can be probed.
type probeStore struct{ *memStore }

func (p probeStore) Probe(context.Context) error {
	if p.down.Load() {
		return errors.New("store down")
	}
	return nil
}

// withRegistry gives s counters in a registry of its own, for counterSum.
func withRegistry(s *Sender) *metrics.Registry {
	reg := metrics.New()
	s.m = newOutputMetrics(reg, "p", "o")
	return reg
}

// counterSum adds up the counter name's series whose labels include label
// (a "name=value" pair; "" for all).
func counterSum(t *testing.T, reg *metrics.Registry, name, label string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if label == "" || hasLabel(m, label) {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func hasLabel(m *dto.Metric, label string) bool {
	for _, lp := range m.GetLabel() {
		if lp.GetName()+"="+lp.GetValue() == label {
			return true
		}
	}
	return false
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestStdoutAbortedWriteKeepsItsEventsBehindTheCursor: when the shutdown
// deadline aborts a non-journaled write, the cursor stays before the
// unwritten events and the next run writes them.
func TestStdoutAbortedWriteKeepsItsEventsBehindTheCursor(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memOut{down: true}
	s := newTestSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 4) // one full batch
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if c, err := loadCursor(dir + "/out"); err != nil || c.next != first {
		t.Fatalf("stored cursor %+v (%v), want %d: it passed events never written", c, err, first)
	}
	if s.unsent != 4 {
		t.Errorf("unsent = %d, want 4", s.unsent)
	}
	out.down = false
	runUntil(newTestSender(t, buf, out, dir+"/out"), last)
	if diff := cmp.Diff([]uint64{first, first + 1, first + 2, first + 3}, out.seqs); diff != "" {
		t.Errorf("written by the next run (-want +got):\n%s", diff)
	}
}

// TestFailedDoneMarkKeepsTheSpool: a batch stored but not durably marked
// done keeps its spool file, so the next run re-sends it (found stored)
// rather than report it lost.
func TestFailedDoneMarkKeepsTheSpool(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	var once sync.Once
	out.stored = func() { once.Do(func() { s.jr.f.Close() }) } // the done line cannot be written
	last := appendEvents(t, buf, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 1 {
		t.Fatalf("spool files %v after a failed done mark, want the batch's one", got)
	}
	out.stored = nil
	s2 := newStoreSender(t, buf, out, dir+"/out")
	reg := withRegistry(s2)
	runUntil(s2, last)
	if lost := counterSum(t, reg, "auditship_output_spool_lost_events_total", ""); lost != 0 || out.lines() != 4 {
		t.Errorf("%v events reported lost, %d lines stored; want 0 and 4", lost, out.lines())
	}
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 0 || len(s2.jr.pending()) != 0 {
		t.Errorf("spool files %v, %d pending after the re-send; want none", got, len(s2.jr.pending()))
	}
}

// TestDeadLetterIndexFailureKeepsTheBatch: while the dead-letter index
// cannot be written, the rejected batch stays pending with its spool file;
// once it can, the batch is dead-lettered with exactly one index line.
func TestDeadLetterIndexFailureKeepsTheBatch(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	index := dir + "/out/deadletter/index.jsonl"
	if err := os.MkdirAll(index, 0o700); err != nil { // not a file: appends fail
		t.Fatal(err)
	}
	out := &memStore{objs: map[string][]byte{}, reject: 1}
	s := newStoreSender(t, buf, out, dir+"/out")
	reg := withRegistry(s)
	last := appendEvents(t, buf, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 1 {
		t.Fatalf("spool files %v while the index fails, want the batch's one", got)
	}
	if n := counterSum(t, reg, "auditship_output_state_errors_total", "op=dead-letter"); n == 0 {
		t.Error("the failing dead-letter was not counted")
	}
	os.Remove(index)
	out.reject = 1
	s2 := newStoreSender(t, buf, out, dir+"/out")
	runUntil(s2, last)
	idx, err := os.ReadFile(index)
	if err != nil || strings.Count(string(idx), "\n") != 1 || !strings.Contains(string(idx), "invalid name") {
		t.Fatalf("dead-letter index %q (%v), want one line", idx, err)
	}
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 0 || len(s2.jr.pending()) != 0 {
		t.Errorf("spool files %v, %d pending; want the batch dead-lettered", got, len(s2.jr.pending()))
	}
}

// TestFailedDeadLetterIsRetried: a dead-letter that fails for a while is
// retried in the same run, and the batches behind it still go out.
func TestFailedDeadLetterIsRetried(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	index := dir + "/out/deadletter/index.jsonl"
	if err := os.MkdirAll(index, 0o700); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { os.Remove(index) })
	out := &memStore{objs: map[string][]byte{}, reject: 1}
	s := newStoreSender(t, buf, out, dir+"/out")
	last := appendEvents(t, buf, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	idx, err := os.ReadFile(index)
	if err != nil || !strings.Contains(string(idx), "invalid name") {
		t.Fatalf("dead-letter index %q (%v): the dead-letter was not retried", idx, err)
	}
	if len(s.jr.pending()) != 0 || out.lines() != 4 {
		t.Errorf("%d pending, %d lines stored; want 0 and 4", len(s.jr.pending()), out.lines())
	}
}

// TestProbeEndsTheBackoff: an output that can be probed is written again
// soon after its store is back, not a whole backoff step later.
func TestProbeEndsTheBackoff(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	mem.down.Store(true)
	s := newTestSender(t, buf, probeStore{mem}, dir+"/out")
	s.cfg.Retry.Initial, s.cfg.Retry.Max = 5*time.Second, 5*time.Second // waits of 2.5s to 5s
	s.probeGap = 20 * time.Millisecond
	last := appendEvents(t, buf, 4)
	time.AfterFunc(300*time.Millisecond, func() { mem.down.Store(false) })
	start := time.Now()
	runUntil(s, last)
	if took := time.Since(start); took > 2*time.Second || mem.lines() != 4 {
		t.Fatalf("%d lines stored after %v, want 4 within 2s (the store came back after 300ms)", mem.lines(), took)
	}
}

// TestStopDuringOutageTriesOnceMore: when shutdown starts while a write
// waits out a long backoff, the sender tries once more at once instead of
// sleeping until shutdown_timeout.
func TestStopDuringOutageTriesOnceMore(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	out.down.Store(true)
	s := newStoreSender(t, buf, out, dir+"/out")
	s.cfg.Retry.Initial, s.cfg.Retry.Max = 10*time.Second, 10*time.Second
	last := appendEvents(t, buf, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // shutdown_timeout
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	time.Sleep(200 * time.Millisecond) // the first write failed: in backoff now
	out.down.Store(false)
	s.Stop(last)
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		<-done
		t.Fatal("the sender slept through the shutdown instead of trying again")
	}
	if out.lines() != 4 {
		t.Errorf("%d lines stored, want 4", out.lines())
	}
}

// TestUndeliveredCountsTheBuffer: what a run leaves undelivered is counted
// from the cursor to the buffer's end, not from the batch in hand.
func TestUndeliveredCountsTheBuffer(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	down := &memStore{objs: map[string][]byte{}}
	down.down.Store(true)
	s := newStoreSender(t, buf, down, dir+"/out")
	last := appendEvents(t, buf, 40) // ten batches of four: one journaled, the rest unread
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if s.unsent != 40 {
		t.Errorf("unsent = %d, want 40", s.unsent)
	}
}

// refusingStore answers every probe but refuses every write permanently.
type refusingStore struct{ probeStore }

func (r refusingStore) Write(ctx context.Context, b *event.Batch) error {
	r.mu.Lock()
	r.calls++
	r.mu.Unlock()
	return outputs.Permanent(errors.New("access denied"))
}

// TestProbeDoesNotShortenAPermanentWait: a passing probe ends only a
// retryable wait; a permanent error waits permanent_retry_interval.
func TestProbeDoesNotShortenAPermanentWait(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	s := newTestSender(t, buf, refusingStore{probeStore{mem}}, dir+"/out")
	s.cfg.PermanentRetryInterval = 5 * time.Second
	s.probeGap = 20 * time.Millisecond
	appendEvents(t, buf, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	s.Run(ctx)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if mem.calls != 1 {
		t.Errorf("%d writes in 600ms, want 1 (the next after permanent_retry_interval)", mem.calls)
	}
}

// causesStore fails permanently with each of causes in turn, then stores.
type causesStore struct {
	*memStore
	causes []string
}

func (c *causesStore) Write(ctx context.Context, b *event.Batch) error {
	c.mu.Lock()
	if len(c.causes) > 0 {
		cause := c.causes[0]
		c.causes = c.causes[1:]
		c.mu.Unlock()
		return outputs.Permanent(errors.New(cause))
	}
	c.mu.Unlock()
	return c.memStore.Write(ctx, b)
}

// TestNewPermanentCauseIsLogged: a permanent error is logged once while
// it lasts, and again when its cause changes (the password was fixed, the
// database is still missing), then the recovery.
func TestNewPermanentCauseIsLogged(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	out := &causesStore{memStore: mem, causes: []string{"access denied", "access denied", "unknown database", "unknown database"}}
	s := newTestSender(t, buf, out, dir+"/out")
	core, logs := observer.New(zapcore.InfoLevel)
	s.log = zap.New(core)
	last := appendEvents(t, buf, 4)
	runUntil(s, last)
	var got []string
	for _, e := range logs.All() {
		if err, ok := e.ContextMap()["error"]; ok {
			got = append(got, fmt.Sprint(err))
		} else {
			got = append(got, e.Message)
		}
	}
	want := []string{"access denied", "unknown database", "output recovered"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
