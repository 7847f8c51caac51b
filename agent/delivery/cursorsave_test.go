package delivery

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/auditship/auditship/agent/buffer"
)

// A journaled output stores its cursor every journaledSaveEvery, not after
// each batch: 24 events in batches of 4 are 6 batches, and the run stores
// its cursor once, at its end.
func TestJournaledCursorIsNotStoredPerBatch(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	before := s.cur.writes
	last := appendEvents(t, buf, 24)
	runUntil(s, last)
	if len(out.objs) != 6 {
		t.Fatalf("%d batches stored, want 6", len(out.objs))
	}
	if n := s.cur.writes - before; n != 1 || s.cur.saved != last+1 {
		t.Fatalf("cursor stored %d times, at %d; want once, at %d", n, s.cur.saved, last+1)
	}
}

// Under buffer pressure the cursor is stored after each batch: the
// buffer frees a delivered segment only once the stored cursor passed it.
func TestCursorIsStoredPerBatchUnderPressure(t *testing.T) {
	dir := t.TempDir()
	buf, err := buffer.Open(buffer.Options{Dir: dir + "/buffer", MaxSize: 2 << 10, MaxRecordBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { buf.Close() })
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	last := appendEvents(t, buf, 12)
	if !buf.Pressure() {
		t.Fatal("the buffer is not under pressure; the test needs it")
	}
	before := s.cur.writes
	runUntil(s, last)
	if n := s.cur.writes - before; n < 3 {
		t.Fatalf("cursor stored %d times for 3 batches under pressure, want at least 3", n)
	}
}

// A compaction keeps every entry at or above the stored cursor, not the
// one in memory: a crash before the next cursor save re-reads from the
// stored one, and the journal must still skip what it stored.
func TestCompactionKeepsWhatTheStoredCursorRereads(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	first := buf.NextSeq()
	last := appendEvents(t, buf, 12)
	runUntil(s, last)
	calls := out.calls
	// The state a crash leaves when the batches were stored and the
	// journal compacted, but the cursor on disk is still from before them.
	s.cur.saved = first
	s.jrCompacted = -journalCompactBytes // due now
	s.maybeCompact()
	if len(s.jr.entries) != 3 {
		t.Fatalf("%d entries after the compaction, want the 3 at or above the stored cursor", len(s.jr.entries))
	}
	if err := os.WriteFile(filepath.Join(dir, "out", "cursor.json"), []byte(`{"next":`+strconv.FormatUint(first, 10)+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s.jr.close()
	s2 := newStoreSender(t, buf, out, dir+"/out")
	if s2.cur.next != first {
		t.Fatalf("restart at %d, want the stale cursor %d", s2.cur.next, first)
	}
	runUntil(s2, last)
	if out.calls != calls || len(out.objs) != 3 || out.lines() != 12 {
		t.Fatalf("after the restart: %d more writes, %d objects, %d lines; want none, 3 and 12", out.calls-calls, len(out.objs), out.lines())
	}
}
