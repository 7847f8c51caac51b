package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/auditship/auditship/internal/fsutil"
)

// batchEntry is one journaled batch: everything needed to re-send it byte
// for byte after a crash, whatever the config says by then.
type batchEntry struct {
	Op          string    `json:"op"` // "batch", or "done" once written
	ID          string    `json:"id"`
	Partition   string    `json:"partition,omitempty"`
	Key         string    `json:"key,omitempty"`
	Format      string    `json:"format,omitempty"`
	Compression string    `json:"compression,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	First       uint64    `json:"first,omitempty"`
	Last        uint64    `json:"last,omitempty"`
	Count       int       `json:"count,omitempty"`
	Size        int64     `json:"size,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	Time        time.Time `json:"time,omitzero"`
	Spool       string    `json:"spool,omitempty"` // file name in the spool directory
	Seqs        []seqRun  `json:"seqs,omitempty"`  // the batch's sequence numbers
}

// seqRun is an inclusive range of sequence numbers.
type seqRun [2]uint64

// journal is an output's append-only record of batches. A "batch" line is
// fsynced before the first Write; a "done" line after it succeeded, before
// the batch's spool file is deleted.
type journal struct {
	path    string
	f       *os.File
	entries []*batchEntry // batches not known to be below the cursor
	done    map[string]bool
	runs    []seqRun // sorted, merged: sequence numbers already journaled
	lines   int
	size    int64 // end of the last complete line: where the next append goes
	dirty   bool  // the file may hold bytes past size (a torn or failed append)
	damage  journalDamage
}

func openJournal(dir string) (*journal, error) {
	j := &journal{path: filepath.Join(dir, "journal.log"), done: map[string]bool{}}
	if err := j.load(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	j.f = f
	return j, nil
}

// journalDamage is what load found wrong with the file; the sender reports
// it and has it repaired (repair) when it starts.
type journalDamage struct {
	torn    int64 // bytes of a torn last line
	corrupt []int // numbers (from 1) of lines in the middle that do not parse
	glued   int   // entries recovered from the end of a corrupt line
}

// load reads the journal. A last line without its newline is torn: a crash
// or an I/O error mid-append. Its fsync never returned, so the batch was
// never written and the cursor never passed it; it is ignored and cut back
// before the next append. Any other line that does not parse was damaged
// after it was written (by the disk, or by hand): see repair.
func (j *journal) load() error {
	data, err := os.ReadFile(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	end := bytes.LastIndexByte(data, '\n') + 1
	j.size, j.damage.torn = int64(end), int64(len(data)-end)
	j.dirty = j.damage.torn > 0
	for n, rest := 1, data[:end]; len(rest) > 0; n++ {
		i := bytes.IndexByte(rest, '\n')
		j.loadLine(n, rest[:i])
		rest = rest[i+1:]
	}
	return nil
}

func (j *journal) loadLine(n int, line []byte) {
	if e, ok := parseEntry(line); ok {
		j.lines++
		j.apply(e)
		return
	}
	j.damage.corrupt = append(j.damage.corrupt, n)
	// A torn append that an older version did not cut back has the next
	// entry glued to it: that entry is whole and still counts.
	if i := bytes.LastIndex(line, []byte(`{"op":`)); i > 0 {
		if e, ok := parseEntry(line[i:]); ok {
			j.damage.glued++
			j.lines++
			j.apply(e)
		}
	}
}

func parseEntry(line []byte) (*batchEntry, bool) {
	var e batchEntry
	if json.Unmarshal(line, &e) != nil || e.ID == "" || (e.Op != "batch" && e.Op != "done") {
		return nil, false
	}
	return &e, true
}

// quarantine handles lines in the middle that did not parse: the file is
// copied to corrupt/journal.log.<unix time> and rewritten with the entries
// that did. It returns the copy's path ("" when there was nothing to do).
//
// Why quarantine rather than refuse to start: appends are cut back and
// compaction replaces the file atomically, so a damaged middle line means
// the disk (or a hand) changed a written line. Refusing to start would
// stop intake for every output of the pipeline over one batch, and the
// operator could do little but delete the line. Instead the damaged file is
// kept for inspection, every entry that reads is honoured, the damage is
// logged with the file and line numbers and counted, and a spool file whose
// entry was lost is never deleted: it goes to the dead-letter directory
// (see sortSpool, which runs first). A lost "done" line only means a
// re-send, found stored.
func (j *journal) quarantine() (string, error) {
	if len(j.damage.corrupt) == 0 {
		return "", nil
	}
	cp, err := copyAside(j.path, time.Now())
	if err != nil {
		return "", err
	}
	return cp, j.compact(0)
}

func (j *journal) apply(e *batchEntry) {
	if e.Op == "done" {
		j.done[e.ID] = true
		return
	}
	j.entries = append(j.entries, e)
	j.runs = mergeRuns(j.runs, e.Seqs)
}

// pending lists the journaled batches not yet written, in journal order. A
// batch journaled twice (its first line's fsync failed, then it was
// journaled again) is listed once, as last journaled.
func (j *journal) pending() []*batchEntry {
	last := map[string]*batchEntry{}
	for _, e := range j.entries {
		last[e.ID] = e
	}
	var out []*batchEntry
	for _, e := range j.entries {
		if !j.done[e.ID] && last[e.ID] != nil {
			out = append(out, last[e.ID])
			delete(last, e.ID)
		}
	}
	return out
}

// add journals a batch durably.
func (j *journal) add(e *batchEntry) error {
	e.Op = "batch"
	if err := j.append(e); err != nil {
		return err
	}
	j.apply(e)
	return nil
}

// markDone records durably that a batch is stored (or dead-lettered): only
// then may its spool file go.
func (j *journal) markDone(id string) error {
	if err := j.append(&batchEntry{Op: "done", ID: id}); err != nil {
		return err
	}
	j.done[id] = true
	return nil
}

// append writes one line and fsyncs it. A failed or partial append is cut
// back, so that the next line never lands glued to a torn one.
func (j *journal) append(e *batchEntry) error {
	if err := j.cutBack(); err != nil {
		return err
	}
	b, _ := json.Marshal(e)
	n, err := j.f.Write(append(b, '\n'))
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		j.dirty = true // even after a failed fsync the line may be in the file
		j.cutBack()
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.size += int64(n)
	j.lines++
	return nil
}

// cutBack truncates the file to the end of its last complete line when an
// earlier append may have left bytes past it.
func (j *journal) cutBack() error {
	if !j.dirty {
		return nil
	}
	if err := j.f.Truncate(j.size); err != nil {
		return fmt.Errorf("journal %s: cutting back a torn append: %w", j.path, err)
	}
	j.dirty = false
	return nil
}

// covers reports whether seq is in a journaled batch.
func (j *journal) covers(seq uint64) bool {
	_, found := slices.BinarySearchFunc(j.runs, seq, func(r seqRun, s uint64) int {
		switch {
		case r[1] < s:
			return -1
		case r[0] > s:
			return 1
		}
		return 0
	})
	return found
}

// compact rewrites the journal keeping what is still needed: batches not
// yet written, and the sequence numbers at or above floor (the cursor)
// that a re-read after a crash must skip.
func (j *journal) compact(floor uint64) error {
	var keep []*batchEntry
	for _, e := range j.entries {
		if !j.done[e.ID] || e.Last >= floor {
			keep = append(keep, e)
		}
	}
	buf, done := j.render(keep)
	if err := fsutil.WriteFile(j.path, buf, 0o600); err != nil {
		return err
	}
	j.f.Close()
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	j.f, j.entries, j.done, j.lines = f, keep, done, len(keep)+len(done)
	j.size, j.dirty = int64(len(buf)), false
	j.runs = trimRuns(j.runs, floor)
	return nil
}

// render encodes entries, each followed by its done line if it has one.
func (j *journal) render(keep []*batchEntry) ([]byte, map[string]bool) {
	var buf []byte
	done := map[string]bool{}
	for _, e := range keep {
		b, _ := json.Marshal(e)
		buf = append(append(buf, b...), '\n')
		if j.done[e.ID] {
			done[e.ID] = true
			b, _ = json.Marshal(&batchEntry{Op: "done", ID: e.ID})
			buf = append(append(buf, b...), '\n')
		}
	}
	return buf, done
}

func (j *journal) close() error { return j.f.Close() }

// mergeRuns adds runs (each sorted, not overlapping others) to sorted runs.
func mergeRuns(runs, add []seqRun) []seqRun {
	runs = append(runs, add...)
	slices.SortFunc(runs, func(a, b seqRun) int { return cmpU64(a[0], b[0]) })
	out := runs[:0]
	for _, r := range runs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

func trimRuns(runs []seqRun, floor uint64) []seqRun {
	out := runs[:0]
	for _, r := range runs {
		if r[1] >= floor {
			out = append(out, r)
		}
	}
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// overlap counts the journaled sequence numbers in [from, to).
func (j *journal) overlap(from, to uint64) int {
	n := 0
	for _, r := range j.runs {
		lo, hi := max(r[0], from), min(r[1]+1, to)
		if lo < hi {
			n += int(hi - lo)
		}
	}
	return n
}
