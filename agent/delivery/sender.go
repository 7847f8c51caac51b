package delivery

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Sender delivers one output's share of its pipeline's buffer: it reads
// from the output's cursor, forms batches per partition, and writes each
// with retries. For a Journaled output a closed batch is encoded into the
// spool and journaled before its first Write; the cursor moves only after
// that (ack 2). It is the only goroutine that calls the output's Write.
type Sender struct {
	pipeline, name, stream string
	out                    outputs.Output
	part                   outputs.Partitioner
	capture                []string          // Settings.Capture
	needFields             bool              // when or the partition reads event fields
	journaled              outputs.Journaled // nil: at-least-once (stdout)
	codec                  objectstore.Codec
	cfg                    *config.Output
	maxPartitions          int
	log                    *zap.Logger
	m                      *outputMetrics
	buf                    *buffer.Log
	spoolDir               string
	keyPrefix              string          // before every key (replay)
	kick                   chan<- struct{} // tells the pipeline's GC the cursor moved
	cur                    *cursor
	jr                     *journal
	jrCompacted            int64    // the journal's size after its last compaction
	chain                  *chainer // nil: the output keeps no integrity chain

	position atomic.Uint64 // the stored cursor, for the pipeline's GC
	stored   atomic.Uint64 // batches stored (auditship_output_batches_total), for the watchdog
	retried  atomic.Uint64 // retryable write errors (auditship_output_send_errors_total{kind="retryable"})
	target   atomic.Uint64 // stop once every record up to it is handled
	stopping atomic.Bool
	wake     wakeup // fired by stop: a write in backoff tries once more

	open     map[string]*openBatch
	read     uint64 // next sequence number to read
	failing  string // "", "retryable" or "permanent": logged once per change
	cause    string // the permanent error last logged: a new one is logged too
	unsent   int    // events left undelivered when the run ended
	ev       event.Event
	lastSave time.Time
	rewind   bool            // re-read from the cursor (after a spool failure)
	woke     bool            // the stop wake-up was used
	probeGap time.Duration   // between probes of a failing output; 0: a second
	hdr      record.Header   // the last leanly decoded record's header, for the chain
	strs     record.StrCache // repeated header strings, when events are looked into
	// openFloor is the first sequence number an open batch holds
	// (MaxUint64 when none is open): the cursor may not pass it.
	openFloor uint64
	flight    *flight   // the batch being written while the next fills
	tickAt    time.Time // when onTick runs next: a tick, or an open batch's interval ending first
	waits     int       // waits made (tests)
}

// Stop asks the sender to flush everything up to target, whatever the
// batches' intervals, and return.
func (s *Sender) Stop(target uint64) {
	s.target.Store(target)
	s.stopping.Store(true)
	s.wake.fire()
}

// Run delivers until stopped (or ctx ends: what is left stays buffered).
func (s *Sender) Run(ctx context.Context) {
	s.open = map[string]*openBatch{}
	s.openFloor = math.MaxUint64
	s.m.age.first.Store(s.cur.next)
	s.m.lastSend.SetToCurrentTime()
	defer s.m.age.sample(s.buf)()
	defer s.finish()
	if s.jr != nil {
		s.checkJournal()
	}
	if !s.resendPending(ctx) {
		return
	}
	s.loop(ctx)
}

func (s *Sender) loop(ctx context.Context) {
	w := wait{cancel: func() {}}
	defer func() { w.cancel() }()
	var r *buffer.Reader
	defer func() {
		if r != nil {
			r.Close()
		}
	}()
	s.tickAt = time.Now().Add(s.tick())
	renew := true                       // the wait ended: the next one needs a new deadline
	for !s.done() && ctx.Err() == nil { // past the deadline: leave the rest buffered
		if r == nil || s.rewind {
			if r != nil {
				r.Close()
			}
			var ok bool
			if r, ok = s.openReader(ctx); !ok {
				break
			}
			s.rewind = false
		}
		if s.flight != nil && s.flight.landed() {
			s.land(ctx)
		}
		// A wait is renewed when it was used up, when a batch took off or
		// landed, or when an open batch's interval ends before it; not
		// for every record while records keep coming (Next does not look
		// at an expired wait while it has records).
		if renew || w.fl != s.flight || !w.until.Equal(s.tickAt) {
			if !time.Now().Before(s.tickAt) { // passed while records came
				s.tickAt = s.nextTick()
			}
			w.cancel()
			w, renew = s.newWait(ctx, s.tickAt), false
		}
		rec, err := r.Next(w.ctx)
		switch {
		case err == nil:
			s.handle(ctx, rec)
		case ctx.Err() != nil:
		case w.ctx.Err() != nil:
			renew = true
			if !time.Now().Before(s.tickAt) {
				s.onTick(ctx)
				s.tickAt = s.nextTick()
			} // else the batch in flight landed: settled at the top
		default:
			s.readError(ctx, err)
		}
	}
	if ctx.Err() == nil {
		s.closeAll(ctx)
	}
	s.land(ctx) // false when ctx ended: the batch stays journaled
	s.saveCursor(true)
}

// wait bounds one wait for records: until the next tick, or until the
// batch in flight (fl) lands. The loop cancels it when it is replaced or
// when the loop ends.
type wait struct {
	ctx    context.Context
	cancel context.CancelFunc
	until  time.Time
	fl     *flight
}

func (s *Sender) newWait(ctx context.Context, until time.Time) wait {
	s.waits++
	wctx, cancel := context.WithDeadline(ctx, until)
	w := wait{ctx: wctx, cancel: cancel, until: until, fl: s.flight}
	if fl := s.flight; fl != nil {
		stop := context.AfterFunc(fl.done, cancel)
		w.cancel = func() { stop(); cancel() }
	}
	return w
}

// done reports whether a stop was asked and every record up to its target
// was read.
func (s *Sender) done() bool {
	return s.stopping.Load() && s.read > s.target.Load()
}

// nextTick is when onTick runs next: a tick from now, or sooner when an
// open batch's interval ends first, so that a batch closes on time rather
// than up to a tick late.
func (s *Sender) nextTick() time.Time {
	at := time.Now().Add(s.tick())
	for _, b := range s.open {
		if due := b.opened.Add(s.cfg.Batch.Interval); due.Before(at) {
			at = due
		}
	}
	return at
}

// tick is how long a read may wait before batch intervals are checked.
func (s *Sender) tick() time.Duration {
	if s.stopping.Load() || s.journaled == nil {
		return 100 * time.Millisecond
	}
	d := s.cfg.Batch.Interval / 4
	return min(max(d, 10*time.Millisecond), time.Second)
}

func (s *Sender) onTick(ctx context.Context) {
	now := time.Now()
	pressure := s.buf.Pressure()
	oldest := s.buf.OldestSegmentEnd()
	for _, b := range s.open {
		if ctx.Err() != nil {
			break // an aborted batch went back into s.open: leave it there
		}
		if now.Sub(b.opened) >= s.cfg.Batch.Interval || s.stopping.Load() || (pressure && b.first <= oldest) {
			s.flush(ctx, b)
		}
	}
	if ctx.Err() == nil && s.checkpointDue(now) && s.land(ctx) { // a checkpoint covers what is stored
		s.checkpoint(ctx, now)
	}
	s.saveCursor(false)
}

func (s *Sender) readError(ctx context.Context, err error) {
	if le, ok := err.(*buffer.LostError); ok {
		s.log.Error("records lost to buffer corruption", zap.Uint64("from", le.Lost.From),
			zap.Uint64("to", le.Lost.To), zap.String("segment", le.Lost.Segment))
		if le.Lost.To >= le.Lost.From {
			s.skip(le.Lost.From, le.Lost.To, chain.SkipCorrupt, le.Lost.Segment, 0)
		}
		s.read = max(s.read, le.Lost.To+1)
		s.advance()
		return
	}
	s.log.Error("reading the buffer failed", zap.Error(err))
	backoff.Sleep(ctx, time.Second)
}

// handle takes one record: an event for this output joins its partition's
// batch; anything else only moves the read position.
func (s *Sender) handle(ctx context.Context, rec buffer.Record) {
	s.read = rec.Seq + 1
	if s.jr != nil && s.jr.covers(rec.Seq) {
		s.advance()
		return
	}
	if rec.Kind != buffer.KindEvent {
		s.skipRecord(rec)
		s.advance()
		return
	}
	e := s.decode(rec)
	if e == nil {
		s.skip(rec.Seq, rec.Seq, chain.SkipCorrupt, "malformed record", 0)
		s.advance()
		return
	}
	if !s.wants(e) {
		s.skip(rec.Seq, rec.Seq, chain.SkipFiltered, "", 0)
		s.advance()
		return
	}
	key := ""
	if s.part != nil {
		key = s.part.Partition(e)
	}
	b := s.open[key]
	var err error
	if b == nil {
		b, err = s.openPartition(ctx, key, e)
	}
	if err == nil {
		err = b.add(e)
	}
	if err == nil {
		err = s.addLeaf(b, e, rec.Data)
	}
	if err != nil {
		s.spoolFailed(ctx, b, err)
		return
	}
	if s.full(b) {
		s.flush(ctx, b)
	}
}

// decode turns a record into an event: reused for journaled outputs (its
// envelope goes to the spool at once), a copy otherwise.
func (s *Sender) decode(rec buffer.Record) *event.Event {
	e := &s.ev
	data := rec.Data
	if s.journaled == nil {
		e, data = &event.Event{}, append([]byte(nil), rec.Data...)
	}
	var err error
	if s.needFields {
		if s.strs == nil {
			s.strs = record.StrCache{}
		}
		err = record.Decode(rec.Seq, data, e, s.strs)
	} else {
		err = record.DecodeLean(rec.Seq, data, e, &s.hdr)
	}
	if err != nil {
		s.log.Error("skipping a malformed buffer record", zap.Uint64("seq", rec.Seq), zap.Error(err))
		return nil
	}
	return e
}

// wants evaluates the output's `when`; a run-time error counts as no match.
func (s *Sender) wants(e *event.Event) bool {
	if s.needFields {
		entry.ScanEnvelope(e)
	}
	if s.cfg.When == nil {
		return true
	}
	ok, err := s.cfg.When.Match(e)
	if err != nil {
		s.m.whenErrors.Inc()
	}
	return ok && err == nil
}

// advance moves the cursor, in memory, over everything read that no open
// batch still holds.
func (s *Sender) advance() {
	if next := min(s.read, s.openFloor); next > s.cur.next {
		s.cur.next = next
	}
}

// refloor recomputes the first sequence number any open batch holds.
func (s *Sender) refloor() {
	s.openFloor = math.MaxUint64
	for _, b := range s.open {
		s.openFloor = min(s.openFloor, b.first)
	}
}

// saveEvery is how often a moved cursor is stored: SPEC §5 wants stdout's
// within 100 ms. A journaled output loses nothing by a stale cursor: what
// it journaled is skipped on re-read, and its journal keeps every entry at
// or above the stored cursor. Each save is two fsynced files (cursor and
// chain state) per output, the largest fixed cost of a pipeline that ships
// one small batch a second, so it is stored every journaledSaveEvery; at
// once when the buffer is under pressure, whose space waits for it.
func (s *Sender) saveEvery() time.Duration {
	switch {
	case s.journaled == nil:
		return 100 * time.Millisecond
	case s.buf.Pressure():
		return 0
	}
	return journaledSaveEvery
}

// journaledSaveEvery spaces a journaled output's cursor saves. A crash
// re-reads at most this much of the buffer (skipping what was journaled),
// and the buffer frees a delivered segment that much later.
const journaledSaveEvery = 5 * time.Second

// saveCursor persists the position (force: now) and only then lets the
// GC trim below it: a cursor on disk never points into deleted segments.
func (s *Sender) saveCursor(force bool) {
	if !force && time.Since(s.lastSave) < s.saveEvery() {
		return
	}
	s.lastSave = time.Now()
	if err := s.saveChain(); err != nil {
		s.stateError("chain", err)
		return
	}
	s.m.age.first.Store(s.cur.next)
	if err := s.cur.save(); err != nil {
		s.stateError("cursor", err)
		return
	}
	if s.cur.saved > s.position.Load() {
		s.position.Store(s.cur.saved)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *Sender) full(b *openBatch) bool {
	bc := s.cfg.Batch
	return (bc.MaxEvents > 0 && b.count >= bc.MaxEvents) || (bc.MaxBytes > 0 && b.bytes >= bc.MaxBytes)
}

func (s *Sender) openPartition(ctx context.Context, key string, e *event.Event) (*openBatch, error) {
	if s.maxPartitions > 0 && len(s.open) >= s.maxPartitions {
		s.flush(ctx, s.oldest())
	}
	b := &openBatch{partition: key, opened: time.Now(), first: e.Seq}
	if s.journaled != nil {
		sp, err := createSpool(s.spoolDir, fmt.Sprintf("%020d", e.Seq), s.spoolDigest())
		if err != nil {
			return b, err
		}
		b.spool = sp
	}
	s.open[key] = b
	s.openFloor = min(s.openFloor, b.first)
	if due := b.opened.Add(s.cfg.Batch.Interval); due.Before(s.tickAt) {
		s.tickAt = due
	}
	return b, nil
}

func (s *Sender) oldest() *openBatch {
	var o *openBatch
	for _, b := range s.open {
		if o == nil || b.first < o.first {
			o = b
		}
	}
	return o
}

func (s *Sender) closeAll(ctx context.Context) {
	for _, b := range s.open {
		if ctx.Err() != nil {
			return // an aborted batch went back into s.open: leave it there
		}
		s.flush(ctx, b)
	}
}

// finish drops the open batches (their events stay in the buffer, the
// cursor never passed them), counts what stays undelivered and closes the
// journal.
func (s *Sender) finish() {
	for _, b := range s.open {
		if b.spool != nil {
			b.spool.discard()
		}
	}
	s.saveCursor(true)
	s.unsent = s.undelivered()
	s.finalCheckpoint()
	if s.jr != nil {
		s.jr.close()
	}
}

// undelivered counts what this output has not delivered, from the buffer
// and the journal rather than from the batches in hand: the records from
// the cursor to the buffer's end that no journaled batch holds, plus the
// journaled batches still pending. Records the output would skip (drop
// records, events its when refuses) count too: it is an upper bound.
func (s *Sender) undelivered() int {
	end, n := s.buf.NextSeq(), 0
	if end > s.cur.next {
		n = int(end - s.cur.next)
	}
	if s.jr == nil {
		return n
	}
	n -= s.jr.overlap(s.cur.next, end)
	for _, e := range s.jr.pending() {
		n += e.Count
	}
	return n
}

// wakeup is fired once, by stop, from another goroutine.
type wakeup struct {
	mu sync.Mutex
	c  chan struct{}
}

func (w *wakeup) ch() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.c == nil {
		w.c = make(chan struct{})
	}
	return w.c
}

func (w *wakeup) fire() {
	w.ch()
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.c:
	default:
		close(w.c)
	}
}
