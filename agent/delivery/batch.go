package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// openBatch is the batch of one partition being filled: its envelopes in a
// spool file (journaled outputs) or its events in memory (stdout).
type openBatch struct {
	partition   string
	spool       *spoolFile
	events      []*event.Event
	runs        []seqRun
	count       int
	first, last uint64
	time        time.Time
	bytes       int64
	opened      time.Time
	leaves      *chain.Leaves  // the chain's view of the batch (store outputs)
	index       *index.Builder // the batch's index record, built beside its leaves
}

func (b *openBatch) add(e *event.Event) error {
	if b.count == 0 {
		b.time = e.Time
	}
	b.count++
	b.last = e.Seq
	if n := len(b.runs); n > 0 && b.runs[n-1][1]+1 == e.Seq {
		b.runs[n-1][1] = e.Seq
	} else {
		b.runs = append(b.runs, seqRun{e.Seq, e.Seq})
	}
	b.bytes += int64(len(e.Envelope)) + 1
	if b.spool != nil {
		return b.spool.writeLine(e.Envelope)
	}
	b.events = append(b.events, e)
	return nil
}

// flush closes b and delivers it: for a journaled output, spool, journal,
// then write; the cursor may then pass b's events.
func (s *Sender) flush(ctx context.Context, b *openBatch) {
	delete(s.open, b.partition)
	s.refloor()
	if b.count == 0 {
		return
	}
	if s.journaled == nil {
		s.flushMemory(ctx, b)
		return
	}
	// The batch before it lands first: its manifest is committed to the
	// chain (or rolled back) before this one is sealed. An output that can
	// start on b meanwhile is handed it now.
	if s.flight != nil && !s.flight.landed() {
		s.prepare(ctx, b)
	}
	if !s.land(ctx) { // ctx ended: b's events stay in the buffer
		s.open[b.partition] = b
		s.refloor()
		return
	}
	entry, err := s.journal(b)
	if err != nil {
		s.spoolFailed(ctx, b, err)
		return
	}
	s.advance() // the batch's bytes are durable in the spool now
	s.saveCursor(false)
	s.launch(ctx, entry)
}

// flushMemory writes a batch held in memory (stdout). When the shutdown
// deadline aborts the write, the batch goes back among the open ones: the
// cursor stays before its events, which the next run sends (at least once).
func (s *Sender) flushMemory(ctx context.Context, b *openBatch) {
	oc, err := s.write(ctx, s.memoryBatch(b))
	switch oc {
	case aborted:
		s.open[b.partition] = b
		s.refloor()
		return
	case rejected:
		s.log.Error("the output rejected a batch for its content; it has no dead-letter directory, the events are skipped",
			zap.Uint64("first_seq", b.first), zap.Uint64("last_seq", b.last), zap.Int("events", b.count), zap.Error(err))
	case partial:
		lines, _ := outputs.RejectedLines(err)
		s.log.Error("the output refused some events for their content; it has no dead-letter directory, they are skipped",
			zap.Uint64("first_seq", b.first), zap.Uint64("last_seq", b.last), zap.Int("refused", len(lines)), zap.Error(err))
		s.delivered(b.count-len(lines), b.bytes)
	default:
		s.delivered(b.count, b.bytes)
	}
	s.advance()
}

// memoryBatch is b as a batch to write: its events (stdout), or without
// them, what a journaled batch is before it is sealed.
func (s *Sender) memoryBatch(b *openBatch) *event.Batch {
	return &event.Batch{Pipeline: s.pipeline, Output: s.name, Stream: s.stream,
		ID: batchID(s.stream, b.first), Partition: b.partition, FirstSeq: b.first, LastSeq: b.last,
		Time: b.time, Count: b.count, Events: b.events}
}

func batchID(stream string, first uint64) string { return fmt.Sprintf("%s-%020d", stream, first) }

// prepare hands b, closed but not sealed, to an output that does the
// costly part of a write ahead (an outputs.Preparer), while the batch
// before it is written. b's lines are what its spool holds so far; a
// spool that fails here fails again when the batch is journaled.
func (s *Sender) prepare(ctx context.Context, b *openBatch) {
	p, ok := s.out.(outputs.Preparer)
	if !ok || b.spool == nil {
		return
	}
	body, err := b.spool.contents()
	if err != nil {
		return
	}
	pb := s.memoryBatch(b) // a spooled batch holds no events
	pb.Body, pb.Size = body, b.spool.size
	p.Prepare(ctx, pb)
}

// journal finishes b's spool file and records the batch durably.
func (s *Sender) journal(b *openBatch) (*batchEntry, error) {
	if b.spool == nil {
		return nil, errors.New("no spool file")
	}
	id := batchID(s.stream, b.first)
	e := &batchEntry{ID: id, Partition: b.partition, First: b.first, Last: b.last, Count: b.count,
		Time: b.time, Seqs: b.runs, Format: s.codec.Format, Compression: s.codec.Compression,
		ContentType: s.codec.ContentType()}
	e.Key = s.key(s.entryBatch(e))
	sp, err := b.spool.finish(id, s.codec)
	if err != nil {
		return nil, err
	}
	e.Spool, e.Size, e.SHA256 = sp.name, sp.size, sp.sha256
	s.seal(b, e)
	return e, s.jr.add(e)
}

// entryBatch is the batch a journal entry describes, without its body.
func (s *Sender) entryBatch(e *batchEntry) *event.Batch {
	return &event.Batch{Pipeline: s.pipeline, Output: s.name, Stream: s.stream, ID: e.ID,
		Partition: e.Partition, FirstSeq: e.First, LastSeq: e.Last, Time: e.Time, Count: e.Count,
		Key: e.Key, Format: e.Format, Compression: e.Compression, ContentType: e.ContentType,
		Size: e.Size, SHA256: e.SHA256}
}

// flight is a journaled batch being written by a goroutine of its own,
// while the sender reads on and fills the next batch: the store works on
// one batch as the next is read, hashed and spooled. Only the store's
// writes run there (the batch, then, once it is stored whole, its index
// record and manifest; retries included); everything the batch's outcome
// changes (chain, journal, dead-letter, metrics) is done by the sender's
// goroutine when it lands, and the next batch is sealed only after that,
// so the chain and the journal see batches in the same order as without
// it. While a batch flies, the sender's goroutine calls nothing of the
// output's and no attempt of its own (a checkpoint lands it first).
type flight struct {
	e    *batchEntry
	path string
	body *os.File
	done context.Context // ended when the writes returned
	oc   outcome
	err  error
	meta bool // the index record and manifest are stored too
}

func (f *flight) landed() bool { return f.done.Err() != nil }

// deliver writes a journaled batch from its spool file until it is stored
// or dead-lettered, and marked done (or ctx ends: it stays journaled and is
// re-sent by the next run). It reports whether the batch is settled.
func (s *Sender) deliver(ctx context.Context, e *batchEntry) bool {
	if !s.launch(ctx, e) {
		return false
	}
	return s.land(ctx)
}

// launch starts writing a journaled batch from its spool file. A batch
// whose spool file is gone is settled at once (false when ctx ended then).
func (s *Sender) launch(ctx context.Context, e *batchEntry) bool {
	path := filepath.Join(s.spoolDir, e.Spool)
	f, err := os.Open(path)
	if err != nil {
		s.spoolGone(e, err)
		return s.settle(ctx, e, "")
	}
	s.m.age.first.Store(min(e.First, s.cur.next)) // journaled: the cursor passed it
	b := s.entryBatch(e)
	b.Body = f
	s.inlineManifest(b, e)
	done, returned := context.WithCancel(context.Background())
	fl := &flight{e: e, path: path, body: f, done: done}
	s.flight = fl
	go func() {
		defer returned()
		fl.oc, fl.err = s.write(ctx, b)
		if fl.oc == stored {
			fl.meta = s.putMeta(ctx, e)
		}
	}()
	return true
}

// land waits for the batch in flight, if any, and settles it: dead-letter
// what the store rejected, store the manifest, mark the batch done. It
// reports false when ctx ended first (the batch stays journaled).
func (s *Sender) land(ctx context.Context) bool {
	fl := s.flight
	if fl == nil {
		return true
	}
	<-fl.done.Done()
	s.flight = nil
	fl.body.Close()
	s.m.age.first.Store(s.cur.next)
	e, oc, werr := fl.e, fl.oc, fl.err
	refused := 0
	var err error
	switch oc {
	case aborted:
		return false
	case rejected:
		if !s.persist(ctx, "dead-letter", func() error { return s.deadLetter(e, werr) }) {
			return false
		}
		s.log.Error("the store rejected a batch; kept in the dead-letter directory",
			zap.String("batch", e.ID), zap.String("key", e.Key), zap.Int("events", e.Count), zap.Error(werr))
		if !s.unseal(ctx, e) {
			return false
		}
	case partial:
		if refused, err = s.keepRefused(ctx, e, werr); err != nil {
			return false
		}
	}
	if oc != rejected && !s.storeManifest(ctx, e, werr, fl.meta) {
		return false
	}
	if !s.settle(ctx, e, fl.path) {
		return false
	}
	if oc != rejected {
		s.delivered(e.Count-refused, e.Size)
	}
	s.maybeCompact()
	return true
}

// spoolGone reports a journaled batch whose spool file was removed from
// outside: its events are gone for this output. Said loudly, then skipped,
// rather than hold every batch behind it forever.
func (s *Sender) spoolGone(e *batchEntry, err error) {
	s.log.Error("a journaled batch's spool file is gone; its events cannot be sent",
		zap.String("batch", e.ID), zap.String("key", e.Key), zap.Uint64("first_seq", e.First),
		zap.Uint64("last_seq", e.Last), zap.Int("events", e.Count), zap.Error(err))
	s.m.spoolLost.Add(float64(e.Count))
}

// settle marks a batch done, durably, and only then deletes its spool file
// (path; "" for none): a crash in between leaves a spool file that the next
// start finds marked done and deletes.
func (s *Sender) settle(ctx context.Context, e *batchEntry, path string) bool {
	if !s.persist(ctx, "journal", func() error { return s.jr.markDone(e.ID) }) {
		return false
	}
	// Done below the cursor, the entry leaves the journal at its next
	// compaction (or stays there, without them, when the stored cursor is
	// behind: the chain state is synced before each compaction, so no
	// restart needs them), and its line on disk holds what a restart needs:
	// its manifest and index record (kilobytes each, hundreds for a large
	// batch) need not wait in memory till then.
	if e.Last < s.cur.next {
		e.Manifest, e.Index = nil, nil
	}
	if path != "" {
		s.removeSpool(path)
	}
	return true
}

// persist retries a change to the output's state on disk (a journal line,
// a dead-letter copy) until it succeeds or ctx ends. The first failure is
// logged, every failure counted.
func (s *Sender) persist(ctx context.Context, op string, fn func() error) bool {
	bo := backoff.New(s.cfg.Retry.Initial, s.cfg.Retry.Max)
	for failed := false; ; failed = true {
		err := fn()
		if err == nil {
			if failed {
				s.log.Info("writing the output's state works again", zap.String("op", op))
			}
			return true
		}
		s.m.stateErrors.WithLabelValues(op).Inc()
		if !failed {
			s.log.Error("writing the output's state failed; the batch is kept, retrying",
				zap.String("op", op), zap.Error(err))
		}
		if !backoff.Sleep(ctx, bo.Next()) {
			return false
		}
	}
}

func (s *Sender) delivered(n int, size int64) {
	s.m.events.Add(float64(n))
	s.m.batches.Inc()
	s.stored.Add(1)
	s.m.bytes.Add(float64(size))
	s.m.lastSend.SetToCurrentTime()
}

// journalCompactBytes also starts a compaction, whatever the line count,
// once the journal grew by this much since the last one: each entry holds
// its batch's manifest and index record (hundreds of KiB for a batch of
// tens of thousands of events), kept in memory until compacted away.
const journalCompactBytes = 4 << 20

// maybeCompact keeps the journal short.
func (s *Sender) maybeCompact() {
	if s.jr.lines < 1000 && s.jr.size < s.jrCompacted+journalCompactBytes {
		return
	}
	if s.chain != nil { // the journal is about to forget what rebuilds it
		if err := s.chain.log.Sync(); err != nil {
			s.stateError("chain", err)
			return
		}
	}
	if err := s.jr.compact(s.cur.saved); err != nil { // a restart reads from the stored cursor
		s.log.Warn("journal compaction failed", zap.Error(err))
	}
	s.jrCompacted = s.jr.size
}

// resendPending re-sends the batches journaled by an earlier run, byte for
// byte from the spool, before reading anything new.
func (s *Sender) resendPending(ctx context.Context) bool {
	if s.jr == nil {
		return true
	}
	for _, e := range s.jr.pending() {
		s.log.Info("re-sending a journaled batch", zap.String("batch", e.ID), zap.String("key", e.Key))
		if !s.deliver(ctx, e) {
			return false
		}
	}
	return true
}

// spoolFailed drops every open batch after a spool error (a full or failing
// disk) and re-reads their events from the buffer later: the cursor never
// passed them, and what was journaled meanwhile is skipped by the journal.
func (s *Sender) spoolFailed(ctx context.Context, b *openBatch, err error) {
	s.log.Error("spooling a batch failed; retrying from the buffer", zap.Error(err))
	s.m.stateErrors.WithLabelValues("spool").Inc()
	s.open[b.partition] = b
	for _, ob := range s.open {
		if ob.spool != nil {
			ob.spool.discard()
		}
	}
	clear(s.open)
	s.refloor()
	s.read = s.cur.next
	s.rewind = true
	backoff.Sleep(ctx, time.Second)
}

// openReader opens a reader at the cursor, retrying while the buffer
// refuses (it never should but for a trimmed position).
func (s *Sender) openReader(ctx context.Context) (*buffer.Reader, bool) {
	for {
		r, err := s.buf.NewReader(s.cur.next)
		if err == nil {
			s.read = s.cur.next
			return r, true
		}
		s.log.Error("opening a buffer reader failed", zap.Uint64("at", s.cur.next), zap.Error(err))
		if !backoff.Sleep(ctx, time.Second) {
			return nil, false
		}
	}
}
