package delivery

import (
	"encoding/json"
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
	// Manifest is the batch's chain manifest, sealed before the first
	// write: a re-send stores the same bytes (store outputs with a chain).
	Manifest json.RawMessage `json:"manifest,omitempty"`
	// Index is the batch's index record, whose sha256 the manifest holds;
	// journaled for the same reason.
	Index json.RawMessage `json:"index,omitempty"`
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
	n, err := j.f.Write(appendEntry(nil, e))
	if err == nil {
		err = fsutil.Sync(j.f)
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
		buf = appendEntry(buf, e)
		if j.done[e.ID] {
			done[e.ID] = true
			buf = appendEntry(buf, &batchEntry{Op: "done", ID: e.ID})
		}
	}
	return buf, done
}

// appendEntry appends e's journal line, newline included: the line
// encoding/json writes, built faster. The manifest and the index record,
// compact JSON sealed by the chain (or read back from a journal line), are
// spliced in as they are: encoding/json would re-validate and copy every
// byte of a RawMessage, most of a line's bytes.
func appendEntry(dst []byte, e *batchEntry) []byte {
	head := *e
	head.Manifest, head.Index = nil, nil
	b, _ := json.Marshal(&head)
	dst = append(dst, b[:len(b)-1]...)
	dst = appendRaw(dst, `,"manifest":`, e.Manifest)
	dst = appendRaw(dst, `,"index":`, e.Index)
	return append(dst, "}\n"...)
}

// appendRaw appends a member holding raw JSON, omitted when empty.
func appendRaw(dst []byte, member string, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return dst
	}
	return append(append(dst, member...), raw...)
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
