package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"time"
)

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
