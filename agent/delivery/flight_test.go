package delivery

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// batchSpools counts the spool files of dir: finished batches and the one
// being filled.
func batchSpools(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, name := range spoolFiles(t, dir) {
		if strings.HasSuffix(name, ".ndjson") {
			n++
		}
	}
	return n
}

// runBehindGate runs s up to last on a goroutine of its own (done is
// closed when it returned) and waits until, while the store holds the
// first write at its gate, the next batch has its spool file.
func runBehindGate(t *testing.T, s *Sender, last uint64) (done chan struct{}) {
	t.Helper()
	done = make(chan struct{})
	go func() {
		defer close(done)
		runUntil(s, last)
	}()
	waitSpools(t, s, "while the first batch is written, want 2: the next batch did not fill")
	return done
}

// waitSpools waits up to 5 s for s to have two spool files; why ends the
// failure message.
func waitSpools(t *testing.T, s *Sender, why string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for batchSpools(t, s.spoolDir) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d spool files %s", batchSpools(t, s.spoolDir), why)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNextBatchFillsWhileOneIsWritten: while the store takes a batch, the
// sender reads on and spools the next one; writes still come one at a
// time, in order, and the chain covers every event once.
func TestNextBatchFillsWhileOneIsWritten(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	out.gate = make(chan struct{})
	s := newChainSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 12) // three batches of four
	done := runBehindGate(t, s, last)
	if n := len(out.objs); n != 0 {
		t.Fatalf("%d objects stored before the gate opened", n)
	}
	for range 3 {
		out.gate <- struct{}{}
	}
	<-done
	if got := out.lines(); got != 12 || len(out.objs) != 3 {
		t.Fatalf("%d lines in %d objects, want 12 in 3", got, len(out.objs))
	}
	if most := out.most.Load(); most != 1 {
		t.Fatalf("%d writes ran at once, want 1", most)
	}
	ms := out.manifests(t)
	if len(ms) != 3 {
		t.Fatalf("%d manifests, want 3", len(ms))
	}
	checkCoverage(t, ms, first, last)
	checkFinalCheckpoint(t, out, ms[len(ms)-1])
	if len(s.jr.pending()) != 0 || s.unsent != 0 {
		t.Fatalf("%d batches pending, %d events unsent after the run", len(s.jr.pending()), s.unsent)
	}
}

// TestRejectedBatchInFlightLandsBeforeTheNextIsSealed: a batch the store
// rejects while the next one fills is dead-lettered and returned to the
// chain as skipped before the next batch's manifest is sealed, so that
// manifest accounts for it.
func TestRejectedBatchInFlightLandsBeforeTheNextIsSealed(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	out.reject = 1
	out.gate = make(chan struct{})
	s := newChainSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 8)
	done := runBehindGate(t, s, last)
	for range 2 {
		out.gate <- struct{}{}
	}
	<-done
	if got := out.lines(); got != 4 {
		t.Fatalf("%d lines stored, want 4 (the first batch rejected)", got)
	}
	ms := out.manifests(t)
	if len(ms) != 1 {
		t.Fatalf("%d manifests, want 1", len(ms))
	}
	if ms[0].SizeBefore != 0 || len(ms[0].Skipped) != 1 || ms[0].Skipped[0].From != first || ms[0].Skipped[0].To != first+3 {
		t.Fatalf("the stored batch's manifest starts at %d and skips %+v, want 0 and the rejected batch's %d-%d",
			ms[0].SizeBefore, ms[0].Skipped, first, first+3)
	}
	checkCoverage(t, ms, first, last)
}

// TestDoneEntriesDropTheirManifests: a batch marked done below the cursor
// keeps no manifest or index record in memory; the journal file keeps
// them until its compaction, and a restart catches the chain up from it.
func TestDoneEntriesDropTheirManifests(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	s := newChainSender(t, buf, out, dir+"/out")
	last := appendEvents(t, buf, 12)
	runUntil(s, last)
	if len(s.jr.entries) != 3 {
		t.Fatalf("%d journal entries, want 3", len(s.jr.entries))
	}
	for _, e := range s.jr.entries {
		if !s.jr.done[e.ID] || len(e.Manifest) != 0 || len(e.Index) != 0 {
			t.Fatalf("entry %s: done %v, %d manifest bytes and %d index bytes kept in memory",
				e.ID, s.jr.done[e.ID], len(e.Manifest), len(e.Index))
		}
	}
	jr, err := openJournal(dir + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer jr.close()
	for _, e := range jr.entries {
		if len(e.Manifest) == 0 || len(e.Index) == 0 {
			t.Fatalf("entry %s lost its manifest or index record on disk", e.ID)
		}
	}
}

// prepStore is a chain store that records the batches Prepare was handed.
type prepStore struct {
	*chainStore
	pmu      sync.Mutex
	prepared map[string][]byte // batch id → the body Prepare read
}

func (p *prepStore) Prepare(_ context.Context, b *event.Batch) {
	body := make([]byte, b.Size)
	n, _ := b.Body.ReadAt(body, 0)
	p.pmu.Lock()
	defer p.pmu.Unlock()
	p.prepared[b.ID] = body[:n]
}

// TestNextBatchIsPreparedWhileOneIsWritten: an output that can start on a
// batch ahead (outputs.Preparer) is handed each batch that closes while
// the one before it is written, with exactly the lines its Write then
// gets; a batch that closes with nothing in flight is not prepared.
func TestNextBatchIsPreparedWhileOneIsWritten(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &prepStore{chainStore: newChainStore(), prepared: map[string][]byte{}}
	out.gate = make(chan struct{})
	s := newTestSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 12) // three batches of four
	done := runBehindGate(t, s, last)
	deadline := time.Now().Add(5 * time.Second)
	for { // before the first write may end
		out.pmu.Lock()
		n := len(out.prepared)
		out.pmu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batches prepared while the first is written, want 1", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 3 {
		out.gate <- struct{}{}
	}
	<-done
	if len(out.objs) != 3 {
		t.Fatalf("%d objects, want 3", len(out.objs))
	}
	// the second batch closed while the first was held: prepared; the
	// first closed with nothing in flight; the third, as it happened
	if _, ok := out.prepared[batchID(s.stream, first)]; ok {
		t.Fatal("the first batch was prepared with nothing in flight")
	}
	if _, ok := out.prepared[batchID(s.stream, first+4)]; !ok {
		t.Fatal("the second batch, closed while the first was written, was not prepared")
	}
	for id, body := range out.prepared {
		stored, ok := out.objs[id+".ndjson"]
		if !ok {
			t.Fatalf("batch %s was prepared but never written", id)
		}
		if string(stored) != string(body) {
			t.Fatalf("batch %s: Prepare read %d bytes, Write stored %d other bytes", id, len(body), len(stored))
		}
	}
}

// TestNextBatchFillsWhileManifestIsStored: a stored batch's index record
// and manifest are put by the goroutine that wrote it, so the sender reads
// on and spools the next batch while they are stored; the chain still
// covers every event once, in order.
func TestNextBatchFillsWhileManifestIsStored(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	out.metaGate = make(chan struct{})
	s := newChainSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	appendEvents(t, buf, 4) // one batch of four, stored; its manifest waits
	done := make(chan struct{})
	go func() {
		defer close(done)
		runUntil(s, first+7)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for out.lines() < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the first batch was not stored")
		}
		time.Sleep(5 * time.Millisecond)
	}
	last := appendEvents(t, buf, 4)
	waitSpools(t, s, "while the first batch's manifest is stored, want 2: the sender waited for it")
	close(out.metaGate)
	<-done
	ms := out.manifests(t)
	if len(ms) != 2 || out.lines() != 8 {
		t.Fatalf("%d manifests for %d lines, want 2 for 8", len(ms), out.lines())
	}
	checkCoverage(t, ms, first, last)
	checkFinalCheckpoint(t, out, ms[len(ms)-1])
}
