package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/internal/fsutil"
)

// Log is the writer side of one output's chain for its pipeline's stream:
// the tree of what was stored, the sequence numbers passed over and not yet
// in a manifest, and the digests the next manifest and checkpoint chain
// to. The sender owns it (one goroutine); its state lives in one file in
// the output's state directory.
type Log struct {
	Pipeline, Output, Stream string

	path  string
	st    logState
	tree  *Tree
	dirty bool // st changed since the last save

	// The manifest Seal returned last, parsed: committing it, the usual
	// case, then needs no parse of its bytes.
	sealed       []byte
	sealedParsed *Manifest
}

type logState struct {
	Epoch      uint64    `json:"epoch"`
	Size       uint64    `json:"size"`
	Frontier   [][]byte  `json:"frontier"`
	Manifest   string    `json:"manifest,omitempty"`   // digest of the last stored manifest
	Checkpoint string    `json:"checkpoint,omitempty"` // digest of the last stored checkpoint
	CheckedAt  time.Time `json:"checked_at"`           // when it was written
	Pending    []Skip    `json:"pending"`              // passed over, not yet in a manifest
	Recorded   []Run     `json:"recorded"`             // in a manifest, maybe not yet behind the cursor
	Next       uint64    `json:"next"`                 // 1 + the highest sequence number in a manifest
	// A checkpoint being written: a crash may leave it stored or not, so
	// the next checkpoint looks for it before chaining (see Settle).
	Writing   string    `json:"writing,omitempty"` // its name
	WritingAt time.Time `json:"writing_at,omitzero"`
	WritingOf string    `json:"writing_of,omitempty"` // its digest
}

const stateFile = "chain.json"

// OpenLog loads the chain state kept in dir (a new one when there is
// none) and counts this start in its epoch.
func OpenLog(dir, pipeline, output, stream string) (*Log, error) {
	l := &Log{Pipeline: pipeline, Output: output, Stream: stream, path: filepath.Join(dir, stateFile)}
	b, err := os.ReadFile(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(b, &l.st); err != nil {
			return nil, fmt.Errorf("%s: %w", l.path, err)
		}
	}
	if l.tree, err = TreeFromFrontier(l.st.Size, l.st.Frontier); err != nil {
		return nil, fmt.Errorf("%s: %w", l.path, err)
	}
	l.st.Epoch++
	return l, l.save()
}

// Size is the number of events stored so far.
func (l *Log) Size() uint64 { return l.st.Size }

// CheckedAt is when the last checkpoint was stored (zero: never).
func (l *Log) CheckedAt() time.Time { return l.st.CheckedAt }

// Skip records sequence numbers [from, to] that this output will not
// store. Numbers already recorded are ignored: a restart re-reads records
// behind the cursor.
func (l *Log) Skip(from, to uint64, reason, detail string, events int) {
	if l.covered(from, to) {
		return
	}
	l.dirty = true
	if n := len(l.st.Pending); n > 0 {
		last := &l.st.Pending[n-1]
		if last.To+1 == from && last.Reason == reason && last.Detail == detail && events == 0 && last.Events == 0 {
			last.To = to
			return
		}
	}
	l.st.Pending = append(l.st.Pending, Skip{From: from, To: to, Reason: reason, Detail: detail, Events: events})
}

func (l *Log) covered(from, to uint64) bool {
	for _, s := range l.st.Pending {
		if from >= s.From && to <= s.To {
			return true
		}
	}
	for _, r := range l.st.Recorded {
		if from >= r[0] && to <= r[1] {
			return true
		}
	}
	return false
}

// Save persists the state; skips recorded in manifests below floor (the
// cursor) are forgotten, as no restart reads them again.
// Nothing changed, nothing is written: the sender calls it before every
// cursor save.
func (l *Log) Save(floor uint64) error {
	n := len(l.st.Recorded)
	l.st.Recorded = slices.DeleteFunc(l.st.Recorded, func(r Run) bool { return r[1] < floor })
	if !l.dirty && len(l.st.Recorded) == n {
		return nil
	}
	return l.save()
}

// Sync makes the state durable: before the journal that can rebuild it
// (see CatchUp) forgets the batches it holds.
func (l *Log) Sync() error { return l.save() }

func (l *Log) save() error {
	l.st.Frontier = l.tree.Frontier()
	b, err := json.Marshal(&l.st)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFile(l.path, b, 0o600); err != nil {
		return err
	}
	l.dirty = false
	return nil
}

// Batch is what a manifest says of its batch besides the leaves.
type Batch struct {
	ID, Key, Format, Compression, SHA256 string
	First, Last                          uint64
	Count                                int
	Seqs                                 []Run
	Index                                string // sha256 of the batch's index record; "": none
}

// Seal returns the manifest of a batch stored after everything committed
// so far, with the pending skips; the state changes only on Commit.
func (l *Log) Seal(b Batch, lv *Leaves) []byte {
	t := l.tree.Clone()
	m := &Manifest{Version: ManifestVersion, Pipeline: l.Pipeline, Output: l.Output, Stream: l.Stream,
		Epoch: l.st.Epoch, BatchID: b.ID, Key: b.Key, Format: b.Format, Compression: b.Compression,
		FirstSeq: b.First, LastSeq: b.Last, Count: b.Count, Seqs: b.Seqs, SizeBefore: t.Size(),
		SHA256: b.SHA256, Prev: l.st.Manifest, Index: b.Index, Sources: lv.sources, Skipped: slices.Clone(l.st.Pending)}
	if m.Skipped == nil {
		m.Skipped = []Skip{}
	}
	for i := range lv.Len() {
		t.Append(lv.hash(i), &m.Nodes)
	}
	m.SizeAfter, m.RootAfter = t.Size(), t.Root()
	for _, h := range t.Frontier() { // copies: a leaf hash may be among them, and lv is reused
		m.Frontier = append(m.Frontier, bytes.Clone(h))
	}
	m.IDIndex, m.LeafIndex = bytes.Clone(lv.ids), bytes.Clone(lv.leafIdx)
	l.sealed, l.sealedParsed = m.Marshal(), m
	return l.sealed
}

// Parse returns a manifest's fields: the one Seal returned last without
// parsing it again.
func (l *Log) Parse(manifest []byte) (*Manifest, error) {
	if len(manifest) > 0 && len(manifest) == len(l.sealed) && &manifest[0] == &l.sealed[0] {
		return l.sealedParsed, nil
	}
	return ParseManifest(manifest)
}

// Commit adopts a stored batch's manifest (from Seal, maybe journaled by
// an earlier run): the tree grows to its size and its skips leave the
// pending list. Committing the last committed manifest again does nothing.
// The state is not written here but with the output's cursor (Save), at
// most every few seconds: after a crash or a power loss the journal's
// fsynced "done" lines and the manifests they hold rebuild it (CatchUp),
// and a batch not marked done is re-sent and committed again. Writing it
// per batch (a temp file and a rename) was a twentieth of the CPU of 100
// pipelines that each store a small batch a second.
func (l *Log) Commit(manifest []byte) error {
	d := Digest(manifest)
	if d == l.st.Manifest {
		return nil
	}
	m, err := l.Parse(manifest)
	if err != nil {
		return err
	}
	if m.SizeBefore != l.st.Size || m.Prev != l.st.Manifest {
		return fmt.Errorf("manifest of %s starts at tree size %d after %q; the chain is at %d after %q",
			m.BatchID, m.SizeBefore, m.Prev, l.st.Size, l.st.Manifest)
	}
	t, err := TreeFromFrontier(m.SizeAfter, m.Frontier)
	if err != nil {
		return err
	}
	l.tree, l.st.Size, l.st.Manifest = t, m.SizeAfter, d
	for _, s := range m.Skipped {
		l.st.Recorded = append(l.st.Recorded, Run{s.From, s.To})
		l.st.Pending = slices.DeleteFunc(l.st.Pending, func(p Skip) bool { return p == s })
		l.st.Next = max(l.st.Next, s.To+1)
	}
	for _, r := range m.Seqs {
		l.st.Next = max(l.st.Next, r[1]+1)
	}
	l.dirty = true
	return nil
}

// CatchUp commits a manifest of a batch the journal marks done, unless the
// state already holds it: after a power loss took the last unsynced
// writes of the state, replaying the journal's done batches in order
// brings it back.
func (l *Log) CatchUp(manifest []byte) error {
	m, err := ParseManifest(manifest)
	if err != nil {
		return err
	}
	switch {
	case m.SizeBefore == l.st.Size && m.Prev == l.st.Manifest:
		return l.Commit(manifest)
	case m.SizeBefore < l.st.Size || Digest(manifest) == l.st.Manifest:
		return nil // committed already (or its resealed form, which is synced: see Sender.storeManifest)
	}
	return fmt.Errorf("manifest of %s starts at tree size %d; the chain is at %d", m.BatchID, m.SizeBefore, l.st.Size)
}

// StartAt records that the output starts reading at head with no cursor
// (new, or enabled again): what was appended since its last manifest is
// skipped as written before it started.
func (l *Log) StartAt(head uint64) error {
	if l.st.Next == 0 || head <= l.st.Next {
		return nil
	}
	l.Skip(l.st.Next, head-1, SkipBeforeStart, "output disabled or its cursor lost", 0)
	return l.save()
}

// Rollback records the sequence numbers of a batch that was not stored
// (dead-lettered) as skipped, for the next manifest.
func (l *Log) Rollback(seqs []Run, reason string) error {
	for _, r := range seqs {
		l.Skip(r[0], r[1], reason, "", 0)
	}
	return l.save()
}

// Checkpoint returns the name and stored bytes of a checkpoint of the
// committed tree, signed when signer is set. Checkpointed records it once
// stored.
func (l *Log) Checkpoint(now time.Time, signer note.Signer) (string, []byte, error) {
	c := Checkpoint{Origin: Origin(l.Pipeline, l.Output, l.Stream), Size: l.st.Size, Root: l.tree.Root(),
		Time: now, Prev: l.st.Checkpoint, Manifest: l.st.Manifest}
	b, err := c.Sign(signer)
	return CheckpointName(l.Pipeline, l.Output, l.Stream, now), b, err
}

// Writing records, durably, a checkpoint about to be stored: after a crash
// Settle finds out whether it was.
func (l *Log) Writing(name string, data []byte, at time.Time) error {
	l.st.Writing, l.st.WritingAt, l.st.WritingOf = name, at, Digest(data)
	return l.save()
}

// Settle resolves a checkpoint whose write a crash interrupted: stored
// (get returns its bytes), the next checkpoint chains to it; not stored
// (get fails with fs.ErrNotExist), it is forgotten. Any other error is
// returned and the question stays open.
func (l *Log) Settle(get func(name string) ([]byte, error)) error {
	if l.st.Writing == "" {
		return nil
	}
	data, err := get(l.st.Writing)
	switch {
	case err == nil && Digest(data) == l.st.WritingOf:
		return l.Checkpointed(data, l.st.WritingAt)
	case err == nil, errors.Is(err, fs.ErrNotExist):
		l.st.Writing, l.st.WritingOf, l.st.WritingAt = "", "", time.Time{}
		return l.save()
	}
	return err
}

// Checkpointed records a stored checkpoint: the next one chains to it.
func (l *Log) Checkpointed(data []byte, at time.Time) error {
	l.st.Checkpoint, l.st.CheckedAt = Digest(data), at
	l.st.Writing, l.st.WritingOf, l.st.WritingAt = "", "", time.Time{}
	return l.save()
}

// Reseal returns a sealed manifest without the events on the refused
// lines of its batch (0-based, body order), which the store refused for
// their content: they become skipped as rejected, and the tree, indexes,
// count and sha256 cover the lines it kept. lines is the batch's body,
// one envelope per line; only an uncompressed ndjson body can be resealed
// (what mysql stores). The result is the same for the same input, so a
// re-send after a crash reseals to the same bytes.
func (l *Log) Reseal(manifest []byte, lines [][]byte, refused []int) ([]byte, error) {
	m, err := ParseManifest(manifest)
	if err != nil {
		return nil, err
	}
	if m.Format != "ndjson" || m.Compression != "none" || len(lines) != m.Count {
		return nil, fmt.Errorf("manifest of %s: cannot reseal a %s/%s body of %d lines for %d events",
			m.BatchID, m.Format, m.Compression, len(lines), m.Count)
	}
	if m.SizeBefore != l.st.Size || m.Prev != l.st.Manifest {
		return nil, fmt.Errorf("manifest of %s does not follow the chain at %d", m.BatchID, l.st.Size)
	}
	seqs := expandRuns(m.Seqs)
	if len(seqs) != len(lines) {
		return nil, fmt.Errorf("manifest of %s: %d sequence numbers for %d lines", m.BatchID, len(seqs), len(lines))
	}
	return l.rebuild(m, lines, seqs, refused).Marshal(), nil
}

// rebuild recomputes m's batch-dependent fields over the kept lines.
func (l *Log) rebuild(m *Manifest, lines [][]byte, seqs []uint64, refused []int) *Manifest {
	drop := map[int]bool{}
	for _, i := range refused {
		drop[i] = true
	}
	t, sum, lh := l.tree.Clone(), sha256.New(), LeafHasher{}
	ids, leafIdx := m.IDIndex, m.LeafIndex
	m.Seqs, m.Nodes, m.IDIndex, m.LeafIndex, m.Count = nil, nil, nil, nil, 0
	for i, line := range lines {
		if drop[i] {
			m.Skipped = append(m.Skipped, Skip{From: seqs[i], To: seqs[i], Reason: SkipRejected})
			continue
		}
		t.Append(lh.Hash(line), &m.Nodes)
		sum.Write(line)
		sum.Write([]byte{'\n'})
		m.Seqs = appendRun(m.Seqs, seqs[i])
		m.IDIndex = append(m.IDIndex, ids[i*IDKeySize:(i+1)*IDKeySize]...)
		m.LeafIndex = append(m.LeafIndex, leafIdx[i*LeafKeySize:(i+1)*LeafKeySize]...)
		m.Count++
	}
	if m.SHA256 != "" { // else the leaves stand for it (outputs.BodyDigestOptional)
		m.SHA256 = hex.EncodeToString(sum.Sum(nil))
	}
	m.SizeAfter, m.RootAfter, m.Frontier = t.Size(), t.Root(), t.Frontier()
	return m
}

func expandRuns(runs []Run) []uint64 {
	var out []uint64
	for _, r := range runs {
		for q := r[0]; q <= r[1]; q++ {
			out = append(out, q)
		}
	}
	return out
}

func appendRun(runs []Run, q uint64) []Run {
	if n := len(runs); n > 0 && runs[n-1][1]+1 == q {
		runs[n-1][1] = q
		return runs
	}
	return append(runs, Run{q, q})
}
