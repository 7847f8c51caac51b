package delivery

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// memStore is a journaled output kept in memory: the sender's logic is
// tested here; the real stores are tested end to end in e2e/.
type memStore struct {
	mu     sync.Mutex
	objs   map[string][]byte
	fail   int // fail this many writes first
	reject int // then reject this many batches for their content
	calls  int
	down   atomic.Bool   // fail every write while set
	stored func()        // called after each stored batch
	gate   chan struct{} // when set, each write waits for a receive here
	busy   atomic.Int32  // writes running now
	most   atomic.Int32  // the most writes ever running at once
}

func (m *memStore) Encoding() (string, string)    { return "ndjson", "none" }
func (m *memStore) Key(b *event.Batch) string     { return b.ID + ".ndjson" }
func (m *memStore) Close(context.Context) error   { return nil }
func (m *memStore) Partition(*event.Event) string { return "" }

func (m *memStore) Write(_ context.Context, b *event.Batch) error {
	n := m.busy.Add(1)
	defer m.busy.Add(-1)
	for most := m.most.Load(); n > most && !m.most.CompareAndSwap(most, n); most = m.most.Load() {
	}
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.down.Load() {
		return errors.New("store down")
	}
	if m.fail > 0 {
		m.fail--
		return errors.New("store down")
	}
	if m.reject > 0 {
		m.reject--
		return outputs.Rejected(errors.New("invalid name"))
	}
	body, err := io.ReadAll(io.NewSectionReader(b.Body, 0, b.Size))
	if err != nil {
		return err
	}
	if old, ok := m.objs[b.Key]; ok && string(old) != string(body) {
		return outputs.Permanent(errors.New("key conflict " + b.Key))
	}
	m.objs[b.Key] = body
	if m.stored != nil {
		m.stored()
	}
	return nil
}

func (m *memStore) lines() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, b := range m.objs {
		for _, c := range b {
			if c == '\n' {
				n++
			}
		}
	}
	return n
}

// appendEvents appends n events to buf the way the router does.
func appendEvents(t *testing.T, buf *buffer.Log, n int) uint64 {
	t.Helper()
	var c record.Encoder
	c.Reset(buf.NextSeq())
	var evs []*event.Event
	for i := range n {
		evs = append(evs, testEvent(string(rune('a'+i%26)), 0))
	}
	c.Events(evs, false)
	done := make(chan error, 1)
	if err := buf.Append(c.Kinds, c.Payloads, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return evs[len(evs)-1].Seq
}

func newStoreSender(t *testing.T, buf *buffer.Log, out *memStore, dir string) *Sender {
	t.Helper()
	return newTestSender(t, buf, out, dir)
}

// newTestSender makes a sender for out (journaled or not) with state in dir.
func newTestSender(t *testing.T, buf *buffer.Log, out outputs.Output, dir string) *Sender {
	t.Helper()
	cfg := &config.Output{Batch: outputs.BatchConfig{MaxEvents: 4, Interval: time.Hour},
		Retry: config.Retry{Initial: time.Millisecond, Max: 2 * time.Millisecond}, PermanentRetryInterval: 5 * time.Millisecond}
	s := &Sender{pipeline: "p", name: "o", stream: "s", out: out, cfg: cfg, log: zap.NewNop(),
		m: newOutputMetrics(metrics.New(), "p", "o"), buf: buf, spoolDir: dir + "/pending"}
	s.part, _ = out.(outputs.Partitioner)
	if err := mkdir(s.spoolDir); err != nil {
		t.Fatal(err)
	}
	if err := s.openState(dir); err != nil {
		t.Fatal(err)
	}
	return s
}

// openTestBuffer opens a buffer under dir, closed when the test ends.
func openTestBuffer(t *testing.T, dir string) *buffer.Log {
	t.Helper()
	buf, err := buffer.Open(buffer.Options{Dir: dir + "/buffer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { buf.Close() })
	return buf
}

func runUntil(s *Sender, target uint64) {
	s.Stop(target)
	s.Run(context.Background())
}

func TestSenderDeliversJournaledBatchesOnce(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}, fail: 2}
	s := newStoreSender(t, buf, out, dir+"/out") // a new output starts at the head
	last := appendEvents(t, buf, 10)
	runUntil(s, last)
	if got := out.lines(); got != 10 || len(out.objs) != 3 {
		t.Fatalf("%d lines in %d objects, want 10 in 3 (batches of 4)", got, len(out.objs))
	}
	if s.cur.next != last+1 || s.unsent != 0 {
		t.Fatalf("cursor %d unsent %d, want %d and 0", s.cur.next, s.unsent, last+1)
	}
	// A second run on the same state sends nothing again.
	s2 := newStoreSender(t, buf, out, dir+"/out")
	calls := out.calls
	runUntil(s2, last)
	if out.calls != calls {
		t.Fatalf("a finished output wrote again (%d calls)", out.calls-calls)
	}
}

func TestSenderResendsJournaledBatchAfterCrash(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	down := &memStore{objs: map[string][]byte{}, fail: 1 << 30}
	s := newStoreSender(t, buf, down, dir+"/out")
	last := appendEvents(t, buf, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	s.Stop(last)
	s.Run(ctx) // journals both batches, cannot write them: a crash stand-in
	cancel()
	if len(s.jr.pending()) == 0 {
		t.Fatal("nothing journaled")
	}
	up := &memStore{objs: map[string][]byte{}}
	s2 := newStoreSender(t, buf, up, dir+"/out")
	runUntil(s2, last)
	if got := up.lines(); got != 8 {
		t.Fatalf("%d lines after the re-send, want 8 (no duplicates, none lost)", got)
	}
}

func TestSenderDeadLettersRejectedBatchesAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}, reject: 1}
	s := newStoreSender(t, buf, out, dir+"/out")
	last := appendEvents(t, buf, 8)
	runUntil(s, last)
	if got := out.lines(); got != 4 {
		t.Fatalf("%d lines stored, want 4 (the first batch rejected)", got)
	}
	idx, err := os.ReadFile(dir + "/out/deadletter/index.jsonl")
	if err != nil || !strings.Contains(string(idx), "invalid name") {
		t.Fatalf("dead-letter index: %q, %v", idx, err)
	}
	ents, _ := os.ReadDir(dir + "/out/deadletter")
	if len(ents) != 2 { // the batch's bytes and the index
		t.Fatalf("dead-letter dir holds %d files, want 2", len(ents))
	}
	if len(s.jr.pending()) != 0 {
		t.Fatal("the rejected batch is still pending")
	}
}

// TestSenderStopsAtTheDeadline: once the shutdown deadline passed, the
// sender leaves the backlog in the buffer instead of spooling all of it.
func TestSenderStopsAtTheDeadline(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	down := &memStore{objs: map[string][]byte{}, fail: 1 << 30}
	s := newStoreSender(t, buf, down, dir+"/out")
	last := appendEvents(t, buf, 40) // ten batches of four
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if n := len(s.jr.pending()); n != 1 {
		t.Fatalf("%d batches journaled after the deadline, want 1 (the one being retried)", n)
	}
}

// TestSenderGoesOnWhenASpoolFileIsGone: a journaled batch whose spool file
// was deleted from outside is reported and skipped; the batches behind it
// are still delivered.
func TestSenderGoesOnWhenASpoolFileIsGone(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	down := &memStore{objs: map[string][]byte{}, fail: 1 << 30}
	s := newStoreSender(t, buf, down, dir+"/out")
	appendEvents(t, buf, 4) // one batch, journaled, never written
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	s.Stop(buf.NextSeq() - 1)
	s.Run(ctx)
	cancel()
	pending := s.jr.pending()
	if len(pending) != 1 {
		t.Fatalf("%d pending batches, want 1", len(pending))
	}
	os.Remove(dir + "/out/pending/" + pending[0].Spool)
	up := &memStore{objs: map[string][]byte{}}
	s2 := newStoreSender(t, buf, up, dir+"/out")
	last := appendEvents(t, buf, 4)
	runUntil(s2, last)
	if got := up.lines(); got != 4 || len(s2.jr.pending()) != 0 {
		t.Fatalf("%d lines stored, %d pending; want the 4 later events and nothing pending", got, len(s2.jr.pending()))
	}
}

func testEvent(raw string, seq uint64) *event.Event {
	return &event.Event{Raw: []byte(raw), Body: []byte(raw), Format: event.FormatJSON, ID: "id" + raw,
		Seq: seq, Time: time.Unix(1700000000, 5).UTC(), TimeText: "2023-11-14T22:13:20Z", Category: "workflow",
		Source: event.Source{Input: "in", Key: "k", Path: "/p", Offset: 10, End: 20},
		Fields: []event.Field{{Key: []byte("a"), Value: []byte(raw), Kind: event.KindString}}}
}

// TestBatchClosesWhenItsIntervalEnds: a batch is written when its
// interval ends, not at the first tick after (ticks are a quarter of the
// interval apart, counted from the sender's start).
func TestBatchClosesWhenItsIntervalEnds(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	const interval = 4 * time.Second // ticks every second
	s.cfg.Batch.Interval, s.cfg.Batch.MaxEvents = interval, 100
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(context.Background())
	}()
	time.Sleep(50 * time.Millisecond) // the batch opens between two ticks
	start := time.Now()
	last := appendEvents(t, buf, 1)
	for out.lines() < 1 {
		if time.Since(start) > 2*interval {
			t.Fatal("the batch was not written")
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(start)
	s.Stop(last)
	<-done
	if took < interval || took > interval+400*time.Millisecond {
		t.Fatalf("the batch was written %v after its first event, want %v (+ at most 400 ms; a tick late is about 950)", took, interval)
	}
}

// TestNoWaitPerRecordWhileRecordsCome: while records keep coming, the
// sender does not make a new wait for each one, even with a batch past
// its interval (its wait's deadline passed).
func TestNoWaitPerRecordWhileRecordsCome(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	s.cfg.Batch.Interval, s.cfg.Batch.MaxEvents = time.Nanosecond, 100000 // every batch is past its interval
	last := appendEvents(t, buf, 20000)
	runUntil(s, last)
	if got := out.lines(); got != 20000 {
		t.Fatalf("%d lines stored, want 20000", got)
	}
	if s.waits > 1000 {
		t.Fatalf("%d waits made for 20000 records", s.waits)
	}
}
