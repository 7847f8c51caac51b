package delivery

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// partStore stores every batch but reports some of its lines refused, as
// the mysql output does with a value too long for its column; a re-send
// reports the same lines again.
type partStore struct {
	*memStore
	refuse []int
}

func (p partStore) Write(ctx context.Context, b *event.Batch) error {
	if err := p.memStore.Write(ctx, b); err != nil {
		return err
	}
	return outputs.RejectedEvents(errors.New("data too long for column"), p.refuse)
}

// runFor runs s until target, failing the test instead of hanging when the
// sender never settles.
func runFor(t *testing.T, s *Sender, target uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Stop(target)
	s.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("the sender did not settle its batches within 10s")
	}
}

// storedLines returns the lines of the one object out holds.
func storedLines(t *testing.T, out *memStore) []string {
	t.Helper()
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.objs) != 1 {
		t.Fatalf("%d objects stored, want 1", len(out.objs))
	}
	for _, b := range out.objs {
		return strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	return nil
}

func readRefused(t *testing.T, dir string) (index, lines string) {
	t.Helper()
	idx, err := os.ReadFile(dir + "/deadletter/index.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir + "/deadletter")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "index.jsonl" || !strings.HasSuffix(names[1], ".refused.ndjson") {
		t.Fatalf("dead-letter dir holds %v, want the index and the refused lines' file", names)
	}
	b, err := os.ReadFile(dir + "/deadletter/" + names[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(idx), string(b)
}

// TestRefusedEventsAreDeadLetteredAndTheBatchStored: a batch stored except
// lines 1 and 3 is done, the cursor passes it, and exactly those two lines
// are kept in the dead-letter directory, indexed once and counted.
func TestRefusedEventsAreDeadLetteredAndTheBatchStored(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	s := newTestSender(t, buf, partStore{mem, []int{3, 1}}, dir+"/out")
	s.cfg.Batch.MaxEvents = 5
	reg := withRegistry(s)
	last := appendEvents(t, buf, 5)
	runFor(t, s, last)
	if len(s.jr.pending()) != 0 || s.cur.next != last+1 {
		t.Fatalf("%d pending, cursor %d; want the batch done and the cursor at %d", len(s.jr.pending()), s.cur.next, last+1)
	}
	body := storedLines(t, mem)
	idx, got := readRefused(t, dir+"/out")
	if diff := cmp.Diff(body[1]+body[3], got); diff != "" {
		t.Errorf("dead-lettered lines (-want +got):\n%s", diff)
	}
	if strings.Count(idx, "\n") != 1 || !strings.Contains(idx, `"lines":[1,3]`) || !strings.Contains(idx, "too long") {
		t.Errorf("dead-letter index %q, want one line naming lines 1 and 3 and the reason", idx)
	}
	if n := counterSum(t, reg, "auditship_output_rejected_events_total", ""); n != 2 {
		t.Errorf("rejected events counted %v, want 2", n)
	}
	if n := counterSum(t, reg, "auditship_output_events_total", ""); n != 3 {
		t.Errorf("events counted as written %v, want 3", n)
	}
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 0 {
		t.Errorf("spool files %v left, want none", got)
	}
}

// TestRefusedEventsAfterACrashAreIndexedOnce: when the done mark fails
// after the refused lines were dead-lettered (a crash stand-in), the next
// run re-sends the batch, the store reports the same lines, and the index
// still names them once.
func TestRefusedEventsAfterACrashAreIndexedOnce(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	out := partStore{mem, []int{1, 3}}
	s := newTestSender(t, buf, out, dir+"/out")
	s.cfg.Batch.MaxEvents = 5
	var once sync.Once
	mem.stored = func() { once.Do(func() { s.jr.f.Close() }) } // the done line cannot be written
	last := appendEvents(t, buf, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s.Stop(last)
	s.Run(ctx)
	if got := spoolFiles(t, dir+"/out/pending"); len(got) != 1 {
		t.Fatalf("spool files %v after a failed done mark, want the batch's one", got)
	}
	mem.stored = nil
	s2 := newTestSender(t, buf, out, dir+"/out")
	s2.cfg.Batch.MaxEvents = 5
	runFor(t, s2, last)
	if len(s2.jr.pending()) != 0 {
		t.Fatal("the batch is still pending after the re-send")
	}
	body := storedLines(t, mem)
	idx, got := readRefused(t, dir+"/out")
	if strings.Count(idx, "\n") != 1 || got != body[1]+body[3] {
		t.Errorf("index %q and lines %q, want one index line and lines 1 and 3", idx, got)
	}
}

// TestCopyLinesDecodesTheBody: the refused lines are taken from the
// decoded body whatever the codec, one event per line.
func TestCopyLinesDecodesTheBody(t *testing.T) {
	events := []string{`{"_seq":1}`, `{"_seq":2}`, `{"_seq":3}`}
	for _, c := range []objectstore.Codec{{Format: "ndjson", Compression: "none"},
		{Format: "ndjson", Compression: "gzip"}, {Format: "json_array", Compression: "zstd"}} {
		t.Run(c.Format+"+"+c.Compression, func(t *testing.T) {
			path := t.TempDir() + "/body"
			writeBody(t, path, c, events)
			var got bytes.Buffer
			e := &batchEntry{Format: c.Format, Compression: c.Compression}
			if err := copyLines(&got, path, e, []int{0, 2}); err != nil {
				t.Fatal(err)
			}
			if want := events[0] + "\n" + events[2] + "\n"; got.String() != want {
				t.Errorf("got %q, want %q", got.String(), want)
			}
		})
	}
}

func writeBody(t *testing.T, path string, c objectstore.Codec, lines []string) {
	t.Helper()
	var b bytes.Buffer
	enc, err := objectstore.NewEncoder(&b, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if err := enc.EncodeLine([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestNormLines(t *testing.T) {
	if got := normLines([]int{4, -1, 1, 9, 1, 0}, 5); !cmp.Equal(got, []int{0, 1, 4}) {
		t.Errorf("normLines = %v, want [0 1 4]", got)
	}
}

// partMem is a non-journaled output that refuses some events of a batch.
type partMem struct{ *memOut }

func (p partMem) Write(ctx context.Context, b *event.Batch) error {
	if err := p.memOut.Write(ctx, b); err != nil {
		return err
	}
	return outputs.RejectedEvents(errors.New("refused"), []int{0, 2})
}

// TestRefusedEventsOfAMemoryBatch: an output without a dead-letter
// directory that refuses some events is not retried; the rest counts as
// written and the cursor passes the batch.
func TestRefusedEventsOfAMemoryBatch(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := partMem{&memOut{}}
	s := newTestSender(t, buf, out, dir+"/out")
	reg := withRegistry(s)
	last := appendEvents(t, buf, 4)
	runFor(t, s, last)
	if n := counterSum(t, reg, "auditship_output_events_total", ""); n != 2 || len(out.seqs) != 4 {
		t.Errorf("%v events counted, %d written once; want 2 and 4", n, len(out.seqs))
	}
	if s.cur.next != last+1 {
		t.Errorf("cursor %d, want %d", s.cur.next, last+1)
	}
}
