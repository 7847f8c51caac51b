package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// chainer is a store output's transparency log (SPEC §6), driven by its
// sender at one seam: a batch's manifest is sealed and journaled with the
// batch before its first write, stored beside it after it, and committed
// to the chain state before the batch is marked done.
type chainer struct {
	log    *chain.Log
	meta   outputs.MetaStore
	copy   outputs.MetaStore // checkpoint_copy's store, set by the agent
	signer note.Signer
	every  time.Duration
	failed bool           // the last checkpoint write failed (logged once per streak)
	inline bool           // the store writes manifests in the batch's transaction
	due    time.Time      // when the next checkpoint is due
	spare  *chain.Leaves  // a sealed batch's leaves, reused by the next batch
	fields []string       // index_fields (nil: the defaults; empty: the time range only)
	spareX *index.Builder // a sealed batch's index builder, reused by the next batch
	// capture names the fields whose value positions the pipeline's
	// records carry (Settings.Capture); capTag is its event.CaptureTag.
	capture []string
	capTag  uint64
	sum     summarizer // the index summary being gathered (summary.go)
}

// openChain starts the chain of a journaled output whose store keeps
// chain files; other outputs have none.
// A fresh cursor (new or re-enabled output) starts at the buffer's head:
// the chain records what it skipped since its last manifest.
func (s *Sender) openChain(sdir string, fresh bool) error {
	meta, ok := s.out.(outputs.MetaStore)
	if !ok || s.journaled == nil {
		return nil
	}
	l, err := chain.OpenLog(sdir, s.pipeline, s.name, s.stream)
	if err != nil {
		return err
	}
	c := &chainer{log: l, meta: meta, every: s.cfg.DigestInterval, fields: s.cfg.IndexFields, capture: s.capture}
	if len(c.capture) > 0 {
		c.capTag = event.CaptureTag(c.capture)
	}
	if in, ok := s.out.(outputs.InlineManifest); ok {
		c.inline = in.StoresManifest()
	}
	if s.cfg.SigningKey != "" {
		if c.signer, err = note.NewSigner(s.cfg.SigningKey); err != nil {
			return err
		}
	}
	if c.every <= 0 {
		c.every = time.Hour
	}
	// A new chain's first checkpoint comes a digest_interval after its
	// start (or at shutdown), not at once: a store slow to answer at
	// start then holds no batch back.
	c.due = l.CheckedAt().Add(c.every)
	if l.CheckedAt().IsZero() {
		c.due = time.Now().Add(c.every)
	}
	s.chain = c
	if err := s.catchUp(); err != nil {
		return err
	}
	if fresh {
		return l.StartAt(s.cur.next)
	}
	return nil
}

// catchUp replays the manifests of the batches the journal marks done,
// in journal order: the chain state is written without fsync at each
// commit, so a power loss may leave it behind the journal.
func (s *Sender) catchUp() error {
	for _, e := range s.jr.entries {
		if !s.jr.done[e.ID] || len(e.Manifest) == 0 {
			continue
		}
		if err := s.chain.log.CatchUp(e.Manifest); err != nil {
			return fmt.Errorf("chain of batch %s: %w", e.ID, err)
		}
	}
	return nil
}

// MetaStore is the output's store of chain files, if it keeps a chain:
// another output's checkpoint_copy target.
func (s *Sender) MetaStore() (outputs.MetaStore, bool) {
	if s.chain == nil {
		return nil, false
	}
	return s.chain.meta, true
}

// SetCheckpointCopy makes every checkpoint also go to m (checkpoint_copy).
func (s *Sender) SetCheckpointCopy(m outputs.MetaStore) {
	if s.chain != nil {
		s.chain.copy = m
	}
}

// spoolDigest reports whether the spool hashes the lines it writes: only
// when they are the stored bytes (uncompressed ndjson; a codec hashes
// what it encodes) and the output needs their sha256 (BodyDigestOptional
// outputs with a chain do not: the leaf hashes stand for it).
func (s *Sender) spoolDigest() bool {
	c := s.codec
	if c.Format != objectstore.FormatNDJSON || c.Compression != objectstore.CompressionNone {
		return false
	}
	o, ok := s.out.(outputs.BodyDigestOptional)
	return s.chain == nil || !ok || !o.BodyDigestOptional()
}

// skip records sequence numbers this output passes over, and why.
func (s *Sender) skip(from, to uint64, reason, detail string, events int) {
	if s.chain != nil {
		s.chain.log.Skip(from, to, reason, detail, events)
	}
}

// skipRecord accounts for a record that is not an event for this output.
func (s *Sender) skipRecord(rec buffer.Record) {
	if s.chain == nil || rec.Kind != buffer.KindDrop {
		return
	}
	var d record.Drop
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		d.Reason = "unreadable drop record"
	}
	s.skip(rec.Seq, rec.Seq, chain.SkipDropped, d.Reason, d.Count)
}

// addLeaf hashes an event's stored line into its batch's leaves.
func (s *Sender) addLeaf(b *openBatch, e *event.Event, data []byte) error {
	if s.chain == nil {
		return nil
	}
	h := s.hdr // filled by DecodeLean
	if s.needFields {
		var err error
		if h, err = record.PeekHeader(data); err != nil {
			return err
		}
	}
	if b.leaves == nil { // the batch's first event
		b.leaves, s.chain.spare = s.chain.spare, nil
		if b.leaves == nil {
			b.leaves = &chain.Leaves{}
		}
		b.index, s.chain.spareX = s.chain.spareX, nil
		if b.index == nil {
			b.index = s.chain.newBuilder()
		}
	}
	b.leaves.Add(e.Envelope, h.ID, h.Input, h.Key, h.Offset, h.End)
	b.index.AddCaptured(e.Envelope, e.Time, h.CaptureTag, h.Captured)
	return nil
}

// seal puts the manifest of a journaled batch into its entry.
func (s *Sender) seal(b *openBatch, e *batchEntry) {
	if s.chain == nil {
		return
	}
	runs := make([]chain.Run, len(e.Seqs))
	for i, r := range e.Seqs {
		runs[i] = chain.Run(r)
	}
	lv := b.leaves
	if lv == nil {
		lv = &chain.Leaves{}
	}
	ix := b.index
	if ix == nil { // a batch without events: its record has no values
		ix = s.chain.newBuilder()
	}
	e.Index = indexRecord(ix, e, runs, s.chain.log.Size())
	ix.Reset()
	s.chain.spareX, b.index = ix, nil
	e.Manifest = s.chain.log.Seal(chain.Batch{ID: e.ID, Key: e.Key, Format: e.Format, Compression: e.Compression,
		SHA256: e.SHA256, First: e.First, Last: e.Last, Count: e.Count, Seqs: runs, Index: chain.Digest(e.Index)}, lv)
	lv.Reset()
	s.chain.spare, b.leaves = lv, nil
}

// manifestName is the chain name of a journaled batch's manifest.
func (s *Sender) manifestName(e *batchEntry) (string, error) {
	m, err := s.chain.log.Parse(e.Manifest)
	if err != nil { // cannot happen: sealed by this code and journaled whole
		return "", fmt.Errorf("journaled manifest of %s: %w", e.ID, err)
	}
	return chain.ManifestName(s.pipeline, s.name, s.stream, m.SizeBefore), nil
}

// inlineManifest hands the manifest to a store that writes it in the
// batch's own transaction (mysql).
func (s *Sender) inlineManifest(b *event.Batch, e *batchEntry) {
	if s.chain == nil || len(e.Manifest) == 0 || !s.chain.inline {
		return
	}
	name, err := s.manifestName(e)
	if err != nil {
		s.log.Error("the batch is stored without its manifest", zap.String("batch", e.ID), zap.Error(err))
		return
	}
	b.Manifest, b.ManifestName, b.Index = e.Manifest, name, e.Index
}

// putMeta stores a batch stored whole's index record and then its
// manifest beside it, as storeManifest would, on the goroutine that
// wrote the batch: the sender's goroutine reads on meanwhile instead of
// waiting for two more durable writes (four flushes for files). It
// reports whether both are stored; if not, storeManifest puts them.
func (s *Sender) putMeta(ctx context.Context, e *batchEntry) bool {
	if s.chain == nil || len(e.Manifest) == 0 || s.chain.inline {
		return false
	}
	name, err := s.manifestName(e)
	if err != nil || !s.storeIndex(ctx, e) {
		return false
	}
	oc, _ := s.attempt(ctx, func() error { return s.chain.meta.PutMeta(ctx, name, e.Manifest) })
	return oc != aborted
}

// storeManifest writes a stored batch's manifest beside it (unless the
// store wrote it with the batch, or stored is set: putMeta did) and
// commits it to the chain; when the store refused some events (werr), the
// manifest is first resealed without them. It reports false when ctx
// ended first.
func (s *Sender) storeManifest(ctx context.Context, e *batchEntry, werr error, stored bool) bool {
	if s.chain == nil || len(e.Manifest) == 0 {
		return true
	}
	name, err := s.manifestName(e)
	if err != nil {
		s.log.Error("the batch is stored without its manifest", zap.String("batch", e.ID), zap.Error(err))
		return true
	}
	manifest, put, resealed := e.Manifest, !s.chain.inline && !stored, false
	if put && !s.storeIndex(ctx, e) {
		return false
	}
	// A resealed manifest keeps the index record as sealed, and its
	// sha256: the record then lists values and times of refused events
	// too, a superset, which the index allows (false positives only).
	if refused, ok := outputs.RejectedLines(werr); ok {
		if !s.persist(ctx, "chain", func() (err error) { manifest, err = s.reseal(e, refused); return err }) {
			return false
		}
		put, resealed = true, true
	}
	if put {
		if oc, _ := s.attempt(ctx, func() error { return s.chain.meta.PutMeta(ctx, name, manifest) }); oc == aborted {
			return false
		}
	}
	if !s.persist(ctx, "chain", func() error {
		if err := s.chain.log.Commit(manifest); err != nil || !resealed {
			return err
		}
		return s.chain.log.Sync() // the journal holds the manifest as sealed, not this one
	}) {
		return false
	}
	s.summarize(ctx, e)
	return true
}

// storeIndex writes a stored batch's index record beside it, before its
// manifest, so that a manifest in the store always finds its record. A
// batch journaled before index records has none.
func (s *Sender) storeIndex(ctx context.Context, e *batchEntry) bool {
	if len(e.Index) == 0 {
		return true
	}
	m, err := s.chain.log.Parse(e.Manifest)
	if err != nil { // cannot happen: manifestName parsed it
		return true
	}
	name := chain.IndexName(s.pipeline, s.name, s.stream, m.SizeBefore)
	oc, _ := s.attempt(ctx, func() error { return s.chain.meta.PutMeta(ctx, name, e.Index) })
	return oc != aborted
}

// reseal drops the refused lines from a batch's manifest, reading the
// batch's lines from its spool file.
func (s *Sender) reseal(e *batchEntry, refused []int) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.spoolDir, e.Spool))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := objectstore.Decompress(f, e.Compression)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var lines [][]byte
	err = objectstore.EachLine(r, e.Format, func(_ int, line []byte) error {
		lines = append(lines, bytes.Clone(line))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.chain.log.Reseal(e.Manifest, lines, refused)
}

// unseal returns a batch that was not stored (dead-lettered) to the chain
// as skipped sequence numbers.
func (s *Sender) unseal(ctx context.Context, e *batchEntry) bool {
	if s.chain == nil {
		return true
	}
	runs := make([]chain.Run, len(e.Seqs))
	for i, r := range e.Seqs {
		runs[i] = chain.Run(r)
	}
	return s.persist(ctx, "chain", func() error { return s.chain.log.Rollback(runs, chain.SkipDeadLettered) })
}

// saveChain persists the chain state before the cursor may pass the
// records it skipped.
func (s *Sender) saveChain() error {
	if s.chain == nil {
		return nil
	}
	return s.chain.log.Save(s.cur.next)
}

// checkpointTimeout bounds one checkpoint write, so that a store that
// hangs delays the batches behind it by that much at most; a failed
// checkpoint is tried again at the next tick.
const checkpointTimeout = 10 * time.Second

// checkpointDue reports whether digest_interval passed since the last
// checkpoint.
func (s *Sender) checkpointDue(now time.Time) bool {
	return s.chain != nil && !now.Before(s.chain.due)
}

// checkpoint writes a checkpoint of the committed tree to the store and
// to checkpoint_copy's, also when nothing new was stored.
func (s *Sender) checkpoint(ctx context.Context, now time.Time) {
	if s.chain == nil {
		return
	}
	c := s.chain
	defer s.writeSummary(ctx) // the index summary of the batches committed since the last one
	ctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
	defer cancel()
	err := c.log.Settle(func(name string) ([]byte, error) { return c.meta.GetMeta(ctx, name) })
	var name string
	var data []byte
	if err == nil {
		name, data, err = c.log.Checkpoint(now, c.signer)
	}
	if err == nil {
		err = c.log.Writing(name, data, now)
	}
	if err == nil {
		err = c.meta.PutMeta(ctx, name, data)
	}
	if err == nil && c.copy != nil {
		err = c.copy.PutMeta(ctx, name, data)
	}
	if err == nil {
		err = c.log.Checkpointed(data, now)
	}
	c.due = now.Add(c.every)
	if err != nil {
		c.due = now.Add(min(c.every, time.Minute))
	}
	s.checkpointResult(name, c.log.Size(), err)
}

func (s *Sender) checkpointResult(name string, size uint64, err error) {
	c := s.chain
	if err != nil {
		s.m.checkpointErrors.Inc()
		if !c.failed {
			s.log.Error("writing a checkpoint failed; retrying at the next tick", zap.String("name", name), zap.Error(err))
		}
		c.failed = true
		return
	}
	if c.failed {
		s.log.Info("checkpoints are written again", zap.String("name", name))
	}
	c.failed = false
	s.m.checkpoints.Inc()
	s.log.Debug("checkpoint written", zap.String("name", name), zap.Uint64("tree_size", size))
}

// finalCheckpoint writes the shutdown checkpoint, within a few seconds
// whatever state the run's context is in.
func (s *Sender) finalCheckpoint() {
	if s.chain == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.checkpoint(ctx, time.Now())
}

// newBuilder is an index builder for one batch of the output.
func (c *chainer) newBuilder() *index.Builder {
	b := index.NewBuilder(indexFields(c.fields))
	if c.capTag != 0 {
		b.UseCapture(c.capTag, c.capture)
	}
	return b
}
