package delivery

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// chainStore is a memStore that keeps chain files too.
type chainStore struct {
	*memStore
	meta     map[string][]byte
	metaGate chan struct{} // when set, PutMeta waits until it is closed
}

func newChainStore() *chainStore {
	return &chainStore{memStore: &memStore{objs: map[string][]byte{}}, meta: map[string][]byte{}}
}

func (c *chainStore) PutMeta(_ context.Context, name string, data []byte) error {
	if c.metaGate != nil {
		<-c.metaGate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.meta[name]; ok && string(old) != string(data) {
		return fmt.Errorf("key conflict %s", name)
	}
	c.meta[name] = data
	return nil
}

func (c *chainStore) GetMeta(_ context.Context, name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.meta[name]; ok {
		return b, nil
	}
	return nil, fs.ErrNotExist
}

func (c *chainStore) ListMeta(_ context.Context, dir string) iter.Seq2[string, error] {
	c.mu.Lock()
	var names []string
	for n := range c.meta {
		if strings.HasPrefix(n, dir) {
			names = append(names, n)
		}
	}
	c.mu.Unlock()
	slices.Sort(names)
	return func(yield func(string, error) bool) {
		for _, n := range names {
			if !yield(n, nil) {
				return
			}
		}
	}
}

// manifests returns the stored manifests in tree order.
func (c *chainStore) manifests(t *testing.T) []*chain.Manifest {
	t.Helper()
	var out []*chain.Manifest
	for n, err := range c.ListMeta(context.Background(), chain.ManifestDir("p", "o", "s")) {
		if err != nil {
			t.Fatal(err)
		}
		m, err := chain.ParseManifest(c.meta[n])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// checkCoverage checks that the manifests chain, that their tree ranges
// follow each other, and that held and skipped sequence numbers cover
// [first, last] exactly once.
func checkCoverage(t *testing.T, ms []*chain.Manifest, first, last uint64) {
	t.Helper()
	seen := map[uint64]string{}
	mark := func(from, to uint64, why string) {
		for q := from; q <= to; q++ {
			if seen[q] != "" {
				t.Errorf("seq %d both %s and %s", q, seen[q], why)
			}
			seen[q] = why
		}
	}
	prev, size := "", uint64(0)
	for _, m := range ms {
		if m.Prev != prev || m.SizeBefore != size || m.SizeAfter != size+uint64(m.Count) {
			t.Errorf("manifest %s: prev %q size %d..%d, want prev %q from %d", m.BatchID, m.Prev, m.SizeBefore, m.SizeAfter, prev, size)
		}
		prev, size = chain.Digest(m.Marshal()), m.SizeAfter
		for _, r := range m.Seqs {
			mark(r[0], r[1], "stored")
		}
		for _, s := range m.Skipped {
			mark(s.From, s.To, s.Reason)
		}
	}
	for q := first; q <= last; q++ {
		if seen[q] == "" {
			t.Errorf("seq %d is in no manifest", q)
		}
	}
}

func newChainSender(t *testing.T, buf *buffer.Log, out *chainStore, dir string) *Sender {
	t.Helper()
	s := newTestSender(t, buf, out, dir)
	if s.chain == nil {
		t.Fatal("a store with chain files got no chain")
	}
	return s
}

func appendDrop(t *testing.T, buf *buffer.Log, reason string, n int) uint64 {
	t.Helper()
	var c record.Encoder
	c.Reset(buf.NextSeq())
	var evs []*event.Event
	for range n {
		evs = append(evs, testEvent("dropped", 0))
	}
	c.Drop(reason, evs)
	done := make(chan error, 1)
	if err := buf.Append(c.Kinds, c.Payloads, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return buf.NextSeq() - 1
}

func TestChainAccountsForEverySequenceNumber(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	s := newChainSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	appendEvents(t, buf, 5)
	dropSeq := appendDrop(t, buf, "processor f", 3)
	last := appendEvents(t, buf, 6)
	runUntil(s, last)
	ms := out.manifests(t)
	if len(ms) != 3 {
		t.Fatalf("%d manifests, want 3 (11 events in batches of 4)", len(ms))
	}
	checkCoverage(t, ms, first, last)
	var drop *chain.Skip
	for _, m := range ms {
		for i, sk := range m.Skipped {
			if sk.From == dropSeq {
				drop = &m.Skipped[i]
			}
		}
	}
	if drop == nil || drop.Reason != chain.SkipDropped || drop.Detail != "processor f" || drop.Events != 3 {
		t.Errorf("drop record in the chain as %+v, want dropped by processor f, 3 events", drop)
	}
	checkFinalCheckpoint(t, out, ms[len(ms)-1])
}

// checkFinalCheckpoint checks that the shutdown checkpoint names the last
// manifest's tree.
func checkFinalCheckpoint(t *testing.T, out *chainStore, last *chain.Manifest) {
	t.Helper()
	var newest []byte
	for n := range out.ListMeta(context.Background(), chain.CheckpointDir("p", "o", "s")) {
		newest = out.meta[n]
	}
	c, signed, err := chain.OpenCheckpoint(newest, nil)
	if err != nil || signed {
		t.Fatalf("checkpoint %q: signed %v, %v", newest, signed, err)
	}
	if c.Size != last.SizeAfter || string(c.Root) != string(last.RootAfter) || c.Manifest != chain.Digest(last.Marshal()) {
		t.Errorf("checkpoint at %d, want the last manifest's size %d, root and digest", c.Size, last.SizeAfter)
	}
}

// resendAfterCrash journals 8 events' batches with the store down (a
// crash stand-in), then runs a new sender on the same state against a
// store that works: it returns the first batch's journal entry as it was
// before the re-send, the store, and the events' seq range.
func resendAfterCrash(t *testing.T) (journaled *batchEntry, up *chainStore, first, last uint64) {
	t.Helper()
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	down := newChainStore()
	down.fail = 1 << 30
	s := newChainSender(t, buf, down, dir+"/out")
	first = buf.NextSeq()
	last = appendEvents(t, buf, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	s.Stop(last)
	s.Run(ctx) // journals, cannot write
	cancel()
	pending := s.jr.pending()
	if len(pending) == 0 {
		t.Fatal("nothing journaled")
	}
	e := *pending[0]
	up = newChainStore()
	runUntil(newChainSender(t, buf, up, dir+"/out"), last)
	return &e, up, first, last
}

func TestChainResendStoresTheJournaledManifest(t *testing.T) {
	e, up, first, last := resendAfterCrash(t)
	if len(e.Manifest) == 0 {
		t.Fatal("no journaled manifest")
	}
	journaled := string(e.Manifest)
	ms := up.manifests(t)
	if len(ms) != 2 || string(ms[0].Marshal()) != journaled {
		t.Fatalf("%d manifests; the first differs from the journaled one", len(ms))
	}
	if ms[1].Epoch != ms[0].Epoch+1 {
		t.Errorf("epochs %d then %d, want the restart counted", ms[0].Epoch, ms[1].Epoch)
	}
	checkCoverage(t, ms, first, last)
}

func TestChainRecordsADeadLetteredBatchAsSkipped(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	out.reject = 1
	s := newChainSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 8)
	runUntil(s, last)
	ms := out.manifests(t)
	if len(ms) != 1 || ms[0].SizeBefore != 0 || ms[0].Count != 4 {
		t.Fatalf("%d manifests, want one of 4 events at tree size 0", len(ms))
	}
	if len(ms[0].Skipped) != 1 || ms[0].Skipped[0].Reason != chain.SkipDeadLettered {
		t.Errorf("skipped %+v, want the rejected batch as dead-lettered", ms[0].Skipped)
	}
	checkCoverage(t, ms, first, last)
}

func TestChainRecordsWhatAReEnabledOutputMissed(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	first := buf.NextSeq()
	s := newChainSender(t, buf, out, dir+"/out")
	runUntil(s, appendEvents(t, buf, 4))
	if err := Disable(dir + "/out"); err != nil { // turned off: it stops pinning the buffer
		t.Fatal(err)
	}
	missed := appendEvents(t, buf, 4)
	s2 := newChainSender(t, buf, out, dir+"/out") // on again: starts at the head
	last := appendEvents(t, buf, 4)
	runUntil(s2, last)
	ms := out.manifests(t)
	checkCoverage(t, ms, first, last)
	sk := ms[len(ms)-1].Skipped
	if len(sk) != 1 || sk[0].Reason != chain.SkipBeforeStart || sk[0].To != missed {
		t.Errorf("skipped %+v, want the 4 events appended while the output was off", sk)
	}
}

// inlineStore writes manifests with its batches (as mysql does) and
// refuses the events on the given lines of every batch.
type inlineStore struct {
	*chainStore
	refuse  []int
	written map[string][]byte // manifest name -> bytes handed to Write
	onWrite func(manifest, index []byte)
}

func (s *inlineStore) StoresManifest() bool { return true }

func (s *inlineStore) Write(ctx context.Context, b *event.Batch) error {
	if err := s.memStore.Write(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	s.written[b.ManifestName] = b.Manifest
	if s.onWrite != nil {
		s.onWrite(b.Manifest, b.Index)
	}
	if _, ok := s.meta[b.ManifestName]; !ok {
		s.meta[b.ManifestName] = b.Manifest
	}
	s.mu.Unlock()
	return outputs.RejectedEvents(errors.New("data too long"), s.refuse)
}

func (s *inlineStore) PutMeta(ctx context.Context, name string, data []byte) error {
	if strings.HasPrefix(name, "_auditship/manifests/") {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.meta[name] = data // the replacement after refused events
		return nil
	}
	return s.chainStore.PutMeta(ctx, name, data)
}

func TestChainResealsAManifestWithoutRefusedEvents(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &inlineStore{chainStore: newChainStore(), refuse: []int{1}, written: map[string][]byte{}}
	s := newTestSender(t, buf, out, dir+"/out")
	if s.chain == nil || !s.chain.inline {
		t.Fatal("an InlineManifest store got no inline chain")
	}
	first := buf.NextSeq()
	last := appendEvents(t, buf, 8)
	runUntil(s, last)
	ms := out.chainStore.manifests(t)
	if len(ms) != 2 {
		t.Fatalf("%d manifests, want 2", len(ms))
	}
	checkCoverage(t, ms, first, last)
	for _, m := range ms {
		name := chain.ManifestName("p", "o", "s", m.SizeBefore)
		if len(out.written[name]) == 0 {
			t.Errorf("Write got no manifest for %s", name)
		}
		rejected := m.Skipped[len(m.Skipped)-1]
		if m.Count != 3 || rejected.Reason != chain.SkipRejected || rejected.From != m.FirstSeq+1 {
			t.Errorf("manifest %s: %d events, last skip %+v; want 3 and line 1 rejected", m.BatchID, m.Count, rejected)
		}
		if len(m.IDIndex) != 3*chain.IDKeySize || len(m.LeafIndex) != 3*chain.LeafKeySize {
			t.Errorf("indexes of %d and %d bytes for 3 events", len(m.IDIndex), len(m.LeafIndex))
		}
	}
}

// TestChainStateCatchesUpFromTheJournal: the chain state is written
// without fsync at each commit; a power loss that takes those writes
// leaves it behind the journal, whose done batches bring it back.
func TestChainStateCatchesUpFromTheJournal(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	first := buf.NextSeq()
	s := newChainSender(t, buf, out, dir+"/out")
	stale, err := os.ReadFile(dir + "/out/chain.json") // before any commit
	if err != nil {
		t.Fatal(err)
	}
	runUntil(s, appendEvents(t, buf, 8))
	if err := os.WriteFile(dir+"/out/chain.json", stale, 0o600); err != nil { // the power loss
		t.Fatal(err)
	}
	s2 := newChainSender(t, buf, out, dir+"/out")
	last := appendEvents(t, buf, 4)
	runUntil(s2, last)
	ms := out.manifests(t)
	if len(ms) != 3 {
		t.Fatalf("%d manifests, want 3", len(ms))
	}
	checkCoverage(t, ms, first, last)
}
