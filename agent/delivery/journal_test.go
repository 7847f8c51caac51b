package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
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

func pendingIDs(j *journal) []string {
	var ids []string
	for _, e := range j.pending() {
		ids = append(ids, e.ID)
	}
	return ids
}

// TestJournalSurvivesACutAtEveryOffset cuts a journal at every byte: what
// the complete lines journaled stays pending, and an entry appended after
// the reload is not glued to the torn line (and lost at the next reload).
func TestJournalSurvivesACutAtEveryOffset(t *testing.T) {
	dir := t.TempDir()
	j, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	type step struct{ id, op string }
	steps := []step{{"a", "batch"}, {"b", "batch"}, {"a", "done"}, {"c", "batch"}, {"b", "done"}}
	var ends []int // where each step's line ends
	for i, st := range steps {
		if st.op == "done" {
			err = j.markDone(st.id)
		} else {
			err = j.add(&batchEntry{ID: st.id, First: uint64(i), Last: uint64(i), Seqs: []seqRun{{uint64(i), uint64(i)}}})
		}
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(filepath.Join(dir, "journal.log"))
		ends = append(ends, int(fi.Size()))
	}
	j.close()
	full, _ := os.ReadFile(filepath.Join(dir, "journal.log"))
	for cut := 0; cut <= len(full); cut++ {
		want := map[string]bool{}
		for i, st := range steps {
			if ends[i] <= cut {
				want[st.id] = st.op == "batch"
			}
		}
		checkCut(t, t.TempDir(), full[:cut], want)
	}
}

// checkCut loads a journal cut short, appends "z", and loads it again.
func checkCut(t *testing.T, dir string, data []byte, pending map[string]bool) {
	t.Helper()
	var want []string
	for _, id := range []string{"a", "b", "c"} {
		if pending[id] {
			want = append(want, id)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "journal.log"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(dir)
	if err != nil {
		t.Fatalf("cut at %d: %v", len(data), err)
	}
	if diff := cmp.Diff(want, pendingIDs(j)); diff != "" {
		t.Fatalf("cut at %d: pending (-want +got):\n%s", len(data), diff)
	}
	if err := j.add(&batchEntry{ID: "z", First: 100, Last: 100}); err != nil {
		t.Fatal(err)
	}
	j.close()
	if j, err = openJournal(dir); err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if diff := cmp.Diff(append(want, "z"), pendingIDs(j)); diff != "" {
		t.Fatalf("cut at %d, then an append: pending (-want +got):\n%s", len(data), diff)
	}
}

// TestJournalRecoversAnEntryGluedToATornLine: a journal written by a
// version that did not cut back torn appends holds a good entry glued to a
// torn one; the entry still counts.
func TestJournalRecoversAnEntryGluedToATornLine(t *testing.T) {
	dir := t.TempDir()
	data := `{"op":"batch","id":"a","first":1,"last":1}` + "\n" +
		`{"op":"batch","id":"b","fir{"op":"batch","id":"c","first":3,"last":3}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "journal.log"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if diff := cmp.Diff([]string{"a", "c"}, pendingIDs(j)); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}

// journalBatches journals n pending batches of four events (the first at
// seq 1) with their spool files, and stores the cursor past them.
func journalBatches(t *testing.T, dir string, n int) []*batchEntry {
	t.Helper()
	if err := mkdir(dir + "/pending"); err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	var es []*batchEntry
	for i := range n {
		first := uint64(1 + 4*i)
		id := batchID("s", first)
		body := []byte(fmt.Sprintf("{\"_seq\":%d}\n", first))
		if err := os.WriteFile(dir+"/pending/"+id+".ndjson", body, 0o600); err != nil {
			t.Fatal(err)
		}
		e := &batchEntry{ID: id, Key: id + ".ndjson", First: first, Last: first + 3, Count: 4,
			Seqs: []seqRun{{first, first + 3}}, Spool: id + ".ndjson", Size: int64(len(body))}
		if err := j.add(e); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	c, _ := loadCursor(dir)
	c.next = uint64(1 + 4*n)
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	return es
}

// TestCorruptJournalLineIsQuarantined: a damaged line in the middle of the
// journal is reported (file, line number), counted and kept in a copy; the
// batches of the other lines are sent, and the spool file of the batch
// whose line was lost is kept in the dead-letter directory, not deleted.
func TestCorruptJournalLineIsQuarantined(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	last := appendEvents(t, buf, 12)
	es := journalBatches(t, dir+"/out", 3)
	path := dir + "/out/journal.log"
	data, _ := os.ReadFile(path)
	lines := bytes.SplitAfter(data, []byte("\n"))
	copy(lines[1][10:], "#####") // line 2, batch es[1]
	os.WriteFile(path, bytes.Join(lines, nil), 0o600)

	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	reg := withRegistry(s)
	core, logs := observer.New(zapcore.WarnLevel)
	s.log = zap.New(core)
	runUntil(s, last)

	if _, ok := out.objs[es[1].Key]; len(out.objs) != 2 || ok {
		t.Errorf("stored %d objects, want 2 (not the damaged line's batch)", len(out.objs))
	}
	if _, err := os.Stat(dir + "/out/deadletter/" + es[1].Spool); err != nil {
		t.Errorf("the spool file of the batch whose line was lost: %v", err)
	}
	idx, _ := os.ReadFile(dir + "/out/deadletter/index.jsonl")
	if !strings.Contains(string(idx), es[1].ID) {
		t.Errorf("dead-letter index %q does not name %s", idx, es[1].ID)
	}
	found := logs.FilterMessageSnippet("do not parse").All()
	if len(found) != 1 || found[0].ContextMap()["file"] != path || fmt.Sprint(found[0].ContextMap()["lines"]) != "[2]" {
		t.Errorf("logged %+v, want one error naming %s line 2", found, path)
	}
	for kind, want := range map[string]float64{"corrupt_line": 1, "orphan_spool": 1} {
		if got := counterSum(t, reg, "auditship_output_journal_repairs_total", "kind="+kind); got != want {
			t.Errorf("journal repairs %s = %v, want %v", kind, got, want)
		}
	}
	if cps, _ := filepath.Glob(dir + "/out/corrupt/journal.log.*"); len(cps) != 1 {
		t.Errorf("copies of the damaged journal: %v, want 1", cps)
	}
}

// TestTornJournalLineIsReported: a torn last line is cut back, logged and
// counted; the batches before it are sent.
func TestTornJournalLineIsReported(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	last := appendEvents(t, buf, 8)
	journalBatches(t, dir+"/out", 2)
	path := dir + "/out/journal.log"
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-7], 0o600) // the second line loses its end
	c, _ := loadCursor(dir + "/out")
	c.next = 5 // its fsync never returned: the cursor did not pass it
	c.save()

	out := &memStore{objs: map[string][]byte{}}
	s := newStoreSender(t, buf, out, dir+"/out")
	reg := withRegistry(s)
	core, logs := observer.New(zapcore.WarnLevel)
	s.log = zap.New(core)
	runUntil(s, last)
	if n := len(logs.FilterMessageSnippet("torn").All()); n != 1 {
		t.Errorf("%d warnings about the torn line, want 1", n)
	}
	if got := counterSum(t, reg, "auditship_output_journal_repairs_total", "kind=torn_tail"); got != 1 {
		t.Errorf("torn tails counted: %v, want 1", got)
	}
	if out.lines() != 1+4 { // the first batch's one line, then events 5 to 8 read again
		t.Errorf("%d lines stored, want 5", out.lines())
	}
}

// The hand-spliced journal line is the line encoding/json writes, so old
// and new agents read each other's journals.
func TestAppendEntryMatchesMarshal(t *testing.T) {
	manifest := json.RawMessage(`{"v":1,"key":"a/b","id_index":"AAEC","skipped":[]}`)
	for _, e := range []*batchEntry{
		{Op: "batch", ID: "s-1", Key: "k", First: 1, Last: 3, Count: 3, Seqs: []seqRun{{1, 3}}, Manifest: manifest},
		{Op: "batch", ID: "s-4", Key: "k2", First: 4, Last: 4, Count: 1},
		{Op: "batch", ID: "s-5", Key: "k3", Manifest: manifest, Index: json.RawMessage(`{"v":1,"min_time":"2026-01-01T00:00:00Z"}`)},
		{Op: "done", ID: "s-1"},
	} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got := appendEntry([]byte("prefix"), e)
		if string(got) != "prefix"+string(want)+"\n" {
			t.Errorf("appendEntry = %s\nwant          prefix%s", got, want)
		}
	}
}
