package agent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJournalPendingDoneAndCoverage(t *testing.T) {
	dir := t.TempDir()
	j, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := &batchEntry{ID: "a", First: 1, Last: 5, Seqs: []seqRun{{1, 2}, {5, 5}}, Spool: "a.ndjson"}
	b := &batchEntry{ID: "b", First: 3, Last: 4, Seqs: []seqRun{{3, 4}}, Spool: "b.ndjson"}
	for _, e := range []*batchEntry{a, b} {
		if err := j.add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.markDone("a"); err != nil {
		t.Fatal(err)
	}
	j.close()
	// A crash mid-append leaves a torn line: it is ignored.
	f, _ := os.OpenFile(filepath.Join(dir, "journal.log"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"op":"batch","id":"c","fir`)
	f.Close()

	j, err = openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	var ids []string
	for _, e := range j.pending() {
		ids = append(ids, e.ID)
	}
	if diff := cmp.Diff([]string{"b"}, ids); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	for seq, want := range map[uint64]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: false, 0: false} {
		if got := j.covers(seq); got != want {
			t.Errorf("covers(%d) = %v, want %v", seq, got, want)
		}
	}
	if err := j.compact(6); err != nil { // a is done and below 6: dropped; b pending: kept
		t.Fatal(err)
	}
	if len(j.entries) != 1 || j.entries[0].ID != "b" || j.covers(1) {
		t.Errorf("after compact: entries %v, covers(1) %v", j.entries, j.covers(1))
	}
}

func TestMergeRuns(t *testing.T) {
	got := mergeRuns([]seqRun{{1, 3}, {10, 12}}, []seqRun{{4, 5}, {8, 9}, {20, 20}})
	want := []seqRun{{1, 5}, {8, 12}, {20, 20}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCursorSaveLoad(t *testing.T) {
	dir := t.TempDir()
	c, err := loadCursor(dir)
	if err != nil || c.exists {
		t.Fatalf("fresh cursor: %+v, %v", c, err)
	}
	c.next = 42
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	c, _ = loadCursor(dir)
	if !c.exists || c.next != 42 {
		t.Fatalf("loaded %+v, want next 42", c)
	}
	if err := removeCursor(dir); err != nil {
		t.Fatal(err)
	}
	if c, _ = loadCursor(dir); c.exists {
		t.Fatal("cursor still there after removeCursor")
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o700) }
