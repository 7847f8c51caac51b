package buffer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Reader reads the log in sequence order, one per output. It sees only
// durable records and skips the log's marks records. It is not safe for
// concurrent use.
type Reader struct {
	l     *Log
	w     walker
	f     *os.File
	from  uint64 // the lowest seq still to return
	undos uint64
}

// NewReader returns a reader of the records with Seq >= from.
func (l *Log) NewReader(from uint64) (*Reader, error) {
	from = max(from, 1)
	l.mu.Lock()
	seg, ok := l.segFor(from)
	closed := l.isClosed
	l.mu.Unlock()
	switch {
	case closed:
		return nil, ErrClosed
	case !ok:
		return nil, ErrTrimmed
	}
	r := &Reader{l: l, from: from, undos: l.undos.Load(), w: walker{fr: newFrameReader(l.o.MaxRecordBytes)}}
	if err := r.open(seg); err != nil {
		return nil, err
	}
	return r, nil
}

// segFor finds the segment holding seq; l.mu is held.
func (l *Log) segFor(seq uint64) (segment, bool) {
	if seq < l.segs[0].first {
		return segment{}, false
	}
	i := len(l.segs) - 1
	for i > 0 && l.segs[i].first > seq {
		i--
	}
	return l.segs[i], true
}

func (r *Reader) open(seg segment) error {
	f, err := os.Open(filepath.Join(r.l.o.Dir, segName(seg.first)))
	if errors.Is(err, fs.ErrNotExist) {
		return ErrTrimmed
	}
	if err != nil {
		return fmt.Errorf("buffer: %w", err)
	}
	if r.f != nil {
		r.f.Close()
	}
	r.f, r.w.seg, r.w.next = f, seg, seg.first
	r.w.fr.reset(f)
	return nil
}

// Next returns the next record, waiting until one is durable or ctx ends.
// Its Data is valid until the next call. A *LostError reports a range lost
// to corruption once; call Next again to continue after it.
func (r *Reader) Next(ctx context.Context) (Record, error) {
	for {
		if r.f == nil {
			return Record{}, ErrClosed
		}
		if err := r.l.waitDurable(ctx, max(r.w.next, r.from)); err != nil {
			return Record{}, err
		}
		if u := r.l.undos.Load(); u != r.undos {
			r.undos = u
			r.w.fr.dropReadAhead()
		}
		fm, kind, g, err := r.w.step()
		if err != nil {
			return Record{}, fmt.Errorf("buffer: read: %w", err)
		}
		switch kind {
		case stepFrame:
			if fm.kind != KindMarks && fm.seq >= r.from {
				r.from = fm.seq + 1
				return Record{Seq: fm.seq, Kind: fm.kind, Data: fm.data}, nil
			}
			continue
		case stepGap:
			err = r.gap(g)
		default:
			err = r.nextSegment(kind, g)
		}
		if err != nil {
			return Record{}, err
		}
	}
}

// gap reports skipped records: logged once by the log, returned once to
// this reader unless they lie before its start.
func (r *Reader) gap(g gap) error {
	r.l.reportGap(r.w.seg, g)
	lost := g.lost
	if lost.To < lost.From || lost.To < r.from {
		return nil
	}
	lost.From = max(lost.From, r.from)
	r.from = lost.To + 1
	return &LostError{Lost: lost}
}

// nextSegment moves on at the end of a segment; the records between where
// this one stopped and where the next begins are a gap.
func (r *Reader) nextSegment(kind stepKind, g gap) error {
	r.l.mu.Lock()
	next, ok := r.l.segAfter(r.w.seg.first)
	trimmed := r.w.next < r.l.trimBefore && (!ok || next.first > r.w.next)
	r.l.mu.Unlock()
	switch {
	case trimmed:
		return ErrTrimmed
	case !ok:
		return fmt.Errorf("buffer: segment %s ends before record %d", segName(r.w.seg.first), r.w.next)
	}
	var err error
	if next.first > r.w.next || kind == stepTail {
		reason := "records missing between segments"
		if kind == stepTail {
			reason = "corrupt frame at the end of the segment"
		}
		err = r.gap(r.w.gap(next.first, g.off, kind == stepTail, reason))
	}
	if oerr := r.open(next); oerr != nil {
		return oerr
	}
	return err
}

// segAfter is the oldest segment after the one starting at first.
func (l *Log) segAfter(first uint64) (segment, bool) {
	for _, s := range l.segs {
		if s.first > first {
			return s, true
		}
	}
	return segment{}, false
}

// Close releases the reader's file.
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// waitDurable blocks until seq is durable, ctx ends or the log closes.
func (l *Log) waitDurable(ctx context.Context, seq uint64) error {
	for l.durable.Load() < seq {
		l.mu.Lock()
		done, closed, ch := l.durable.Load() >= seq, l.isClosed, l.notify
		l.notified = l.notified || !done
		l.mu.Unlock()
		switch {
		case done:
			return nil
		case closed:
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
