package replay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// feeder reads the selected batches and appends the matching events to
// the replay's buffer, one goroutine.
type feeder struct {
	r          *runner
	q          *index.Query
	stats      chain.SelectStats
	marks      positions
	chunk      chunk
	prog       Progress
	read       int
	bad        int64 // stored lines that are not envelopes
	exprErrors int64 // events --where failed on (no match)
	shipped    int64
	scan       event.Event // the line being looked at: its fields' memory is reused

	appends sync.WaitGroup // appends not yet durable
	mu      sync.Mutex
	failed  error // a failed group fsync
	lastLog time.Time
}

func newFeeder(r *runner) *feeder {
	f := &feeder{r: r, q: r.o.Query, marks: loadPositions(r.buf.Marks())}
	// A chunk is appended whole: in a small buffer it must fit beside the
	// active segment, which is never trimmed (a segment is MaxSize/16).
	f.chunk.limit = chunkBytes
	if m := r.o.Buffer.MaxSize / 32; m > 0 && m < chunkBytes {
		f.chunk.limit = int(m)
	}
	return f
}

// feed plans the batches, then reads them in order.
func (f *feeder) feed(ctx context.Context) error {
	plan, err := f.plan(ctx)
	if err != nil {
		return err
	}
	f.r.log.Info("replay planned", zap.Int("batches_listed", f.stats.Batches),
		zap.Int("batches_selected", len(plan)), zap.Int64("events_in_selected", f.prog.EventsTotal))
	for _, sel := range plan {
		if err := f.batch(ctx, sel); err != nil {
			return err
		}
		f.prog.Batches++
		f.report(true)
	}
	return f.flush(ctx)
}

// plan lists the selected batches (index records only): the totals of
// the progress bar. It holds a few hundred bytes per selected batch.
func (f *feeder) plan(ctx context.Context) ([]chain.Selected, error) {
	var plan []chain.Selected
	for sel, err := range chain.Select(ctx, f.r.o.Source, f.r.o.SourcePipeline, f.r.o.SourceOutput, f.q, &f.stats) {
		if err != nil {
			return nil, fmt.Errorf("select batches: %w", err)
		}
		plan = append(plan, sel)
		f.prog.EventsTotal += int64(sel.Index.Count)
	}
	f.prog.BatchesTotal = len(plan)
	return plan, nil
}

// batch reads one selected batch from where an earlier run stopped.
func (f *feeder) batch(ctx context.Context, sel chain.Selected) error {
	key := sourceKey(sel)
	from, ok := f.marks.from(key, sel.Index.SizeBefore)
	if !ok || from >= sel.Index.Count && sel.Index.Count > 0 {
		f.prog.Events += int64(sel.Index.Count)
		return nil // delivered by an earlier run
	}
	f.prog.Events += int64(from)
	f.read++
	return f.retry(ctx, "read "+sel.Ref.Key, func() error {
		return f.readLines(ctx, sel, key, &from)
	})
}

// errLine stops a batch's read early without being a store error.
type lineErr struct{ err error }

func (e lineErr) Error() string { return e.err.Error() }
func (e lineErr) Unwrap() error { return e.err }

// readLines reads a batch from line *from on, moving *from past each
// line taken: a read retried after a store error goes on from there.
func (f *feeder) readLines(ctx context.Context, sel chain.Selected, key string, from *int) error {
	rc, err := f.r.o.Source.Open(ctx, sel.Ref)
	if errors.Is(err, fs.ErrNotExist) {
		return lineErr{fmt.Errorf("batch %s is listed by its manifest but not stored (auditship verify names it): %w",
			sel.Ref.Key, err)}
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	dec, err := objectstore.Decompress(rc, sel.Index.Compression)
	if err != nil {
		return err
	}
	defer dec.Close()
	return objectstore.EachLine(dec, sel.Index.Format, func(i int, line []byte) error {
		if i < *from {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return lineErr{err}
		}
		f.prog.Events++
		if err := f.line(ctx, sel, key, i, line); err != nil {
			return lineErr{err}
		}
		*from = i + 1
		f.report(false)
		return nil
	})
}

// line filters one stored line and queues it when it matches. A line
// that is not an envelope is skipped and counted; an expression failing on
// an event (nil > 1000) is no match, counted, as in an output's when.
func (f *feeder) line(ctx context.Context, sel chain.Selected, key string, i int, line []byte) error {
	line = f.chunk.hold(line)
	e := &f.scan
	err := index.ScanEvent(e, line)
	if err == nil {
		if _, _, ok := seqDigits(line); !ok {
			err = errors.New("no _id and _seq at the start of the line")
		}
	}
	if err != nil {
		if f.bad++; f.bad <= 10 {
			f.r.log.Warn("skipping an unreadable stored line", zap.String("key", sel.Ref.Key), zap.Int("line", i), zap.Error(err))
		}
		f.chunk.drop(line)
		return nil
	}
	ok, err := matches(f.q, e)
	if err != nil {
		f.exprErrors++
	}
	if !ok || err != nil {
		f.chunk.drop(line)
		return nil
	}
	f.prog.Matched++
	// The chunk keeps what the buffer record needs (envelope, id, time),
	// not the fields parsed for the match: thousands of them made most of
	// replay's live heap. They stay in f.scan for the next line.
	m := f.chunk.event(e)
	m.Fields = nil
	m.Source = event.Source{Input: "replay", Key: key, Path: sel.Ref.Key, Offset: int64(i), End: int64(i) + 1}
	f.chunk.add(m, line, key, sel.Index.SizeBefore, i+1)
	if f.chunk.full() {
		return f.flush(ctx)
	}
	return nil
}

// matches is index.Query.Match on an event already scanned.
func matches(q *index.Query, e *event.Event) (bool, error) {
	if !q.Since.IsZero() && e.Time.Before(q.Since) || !q.Until.IsZero() && !e.Time.Before(q.Until) {
		return false, nil
	}
	if q.Where == nil {
		return true, nil
	}
	return q.Where.Match(e)
}

// readAttempts bounds the tries of one store read (about 3 minutes with
// the backoff): a source that stays unreachable ends the run, its state
// kept for the next.
const readAttempts = 20

// retry runs a store read until it succeeds, backing off on errors that
// are not permanent; a line error, ctx or readAttempts failures end it.
func (f *feeder) retry(ctx context.Context, what string, op func() error) error {
	bo := backoff.New(200*time.Millisecond, 10*time.Second)
	for attempt := 1; ; attempt++ {
		err := op()
		var le lineErr
		switch {
		case err == nil:
			return nil
		case errors.As(err, &le):
			return le.err
		case ctx.Err() != nil:
			return ctx.Err()
		case outputs.IsPermanent(err) || attempt == readAttempts:
			return fmt.Errorf("%s: %w", what, err)
		}
		f.r.log.Warn("reading the source failed; retrying", zap.String("op", what), zap.Error(err))
		if !backoff.Sleep(ctx, bo.Next()) {
			return ctx.Err()
		}
	}
}

func (f *feeder) wait() { f.appends.Wait() }

func (f *feeder) appendErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *feeder) summary() Summary {
	return Summary{Listed: f.stats.Batches, Selected: f.stats.Selected, Read: f.read, Matched: f.prog.Matched,
		Shipped: f.shipped, Present: f.prog.Present, Bad: f.bad, ExprErrors: f.exprErrors}
}

// report hands the progress on, at most every 100 ms (always at a
// batch's end).
func (f *feeder) report(force bool) {
	if f.r.o.Progress == nil || !force && time.Since(f.lastLog) < 100*time.Millisecond {
		return
	}
	f.lastLog = time.Now()
	p := f.prog
	p.Reading = true
	f.r.progress(p)
}
