package buffer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Full reports whether n more bytes would take the log over MaxSize.
func (l *Log) Full(n int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes+n > l.o.MaxSize
}

// WaitSpace blocks until Full(n) is false, ctx ends or the log closes.
func (l *Log) WaitSpace(ctx context.Context, n int64) error {
	for {
		l.mu.Lock()
		full, closed, ch := l.bytes+n > l.o.MaxSize, l.isClosed, l.space
		l.mu.Unlock()
		switch {
		case !full:
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
}

// Pressure reports whether the log uses more than 80% of MaxSize.
func (l *Log) Pressure() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes > l.o.MaxSize/5*4
}

// OldestSegmentEnd is the last sequence number stored in the oldest
// segment: closing the batches that hold records up to it lets Trim free it.
func (l *Log) OldestSegmentEnd() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.segs) > 1 {
		return l.segs[1].first - 1
	}
	return l.written
}

// Trim deletes the segments whose records all have Seq < before, never
// the active one, and wakes WaitSpace.
func (l *Log) Trim(before uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trimBefore = max(l.trimBefore, before)
	freed := false
	for len(l.segs) > 1 && l.segs[1].first <= before {
		name := filepath.Join(l.o.Dir, segName(l.segs[0].first))
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("buffer: trim: %w", err)
		}
		l.bytes -= l.segs[0].size
		l.segs = l.segs[1:]
		freed = true
	}
	if freed && !l.isClosed {
		close(l.space)
		l.space = make(chan struct{})
		l.size()
	}
	return nil
}
