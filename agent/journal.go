package agent

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/auditship/auditship/agent/state"
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
// fsynced before the first Write; a "done" line after it succeeded.
type journal struct {
	path    string
	f       *os.File
	entries []*batchEntry // batches not known to be below the cursor
	done    map[string]bool
	runs    []seqRun // sorted, merged: sequence numbers already journaled
	lines   int
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

// load reads the journal; a torn last line (a crash mid-append) is ignored:
// its batch was never written, because Write comes after the fsync.
func (j *journal) load() error {
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<30)
	for sc.Scan() {
		var e batchEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		j.lines++
		j.apply(&e)
	}
	return sc.Err()
}

func (j *journal) apply(e *batchEntry) {
	if e.Op == "done" {
		j.done[e.ID] = true
		return
	}
	j.entries = append(j.entries, e)
	j.runs = mergeRuns(j.runs, e.Seqs)
}

// pending lists the journaled batches not yet written, in journal order.
func (j *journal) pending() []*batchEntry {
	var out []*batchEntry
	for _, e := range j.entries {
		if !j.done[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// add journals a batch durably.
func (j *journal) add(e *batchEntry) error {
	e.Op = "batch"
	if err := j.append(e, true); err != nil {
		return err
	}
	j.apply(e)
	return nil
}

// markDone records that a batch is stored. Not fsynced: if the line is
// lost, the batch is re-sent and found identical in the store.
func (j *journal) markDone(id string) error {
	j.done[id] = true
	return j.append(&batchEntry{Op: "done", ID: id}, false)
}

func (j *journal) append(e *batchEntry, sync bool) error {
	b, _ := json.Marshal(e)
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.lines++
	if sync {
		return j.f.Sync()
	}
	return nil
}

// covers reports whether seq is in a journaled batch.
func (j *journal) covers(seq uint64) bool {
	i, found := slices.BinarySearchFunc(j.runs, seq, func(r seqRun, s uint64) int {
		switch {
		case r[1] < s:
			return -1
		case r[0] > s:
			return 1
		}
		return 0
	})
	_ = i
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
	if err := state.WriteFile(j.path, buf); err != nil {
		return err
	}
	j.f.Close()
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	j.f, j.entries, j.done, j.lines = f, keep, done, len(keep)+len(done)
	j.runs = trimRuns(j.runs, floor)
	return nil
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
