package buffer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTrim(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, Options{Dir: dir, SegmentSize: 1024})
	for range 30 {
		appendN(t, l, 2, 100)
	}
	segs := append([]segment(nil), l.segs...)
	if len(segs) < 4 {
		t.Fatalf("%d segments", len(segs))
	}
	tests := []struct {
		before uint64
		keep   int // segments left
	}{
		{before: segs[1].first - 1, keep: len(segs)},     // one record of segs[0] unread
		{before: segs[1].first, keep: len(segs) - 1},     // segs[0] fully passed
		{before: segs[3].first + 1, keep: len(segs) - 3}, // mid segs[3]
		{before: 1 << 62, keep: 1},                       // never the active one
	}
	for _, tt := range tests {
		if err := l.Trim(tt.before); err != nil {
			t.Fatal(err)
		}
		if n := len(segPaths(t, dir)); n != tt.keep || len(l.segs) != tt.keep {
			t.Fatalf("Trim(%d): %d files, %d listed, want %d", tt.before, n, len(l.segs), tt.keep)
		}
	}
	if got, want := l.OldestSegmentEnd(), l.NextSeq()-1; got != want {
		t.Fatalf("OldestSegmentEnd %d, want %d", got, want)
	}
	if _, err := l.NewReader(1); !errors.Is(err, ErrTrimmed) {
		t.Fatalf("NewReader of a trimmed position: %v", err)
	}
	appendN(t, l, 1, 100)
	recs, _ := readAll(t, l, l.segs[0].first)
	checkSeqs(t, recs, seqRange(l.segs[0].first, 61), 100)
}

func TestOldestSegmentEnd(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir(), SegmentSize: 1024})
	for range 30 {
		appendN(t, l, 2, 100)
	}
	if got, want := l.OldestSegmentEnd(), l.segs[1].first-1; got != want {
		t.Fatalf("OldestSegmentEnd %d, want %d", got, want)
	}
}

func TestFullWaitSpaceAndPressure(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir(), MaxSize: 10000, SegmentSize: 1000})
	for !l.Pressure() {
		if l.Full(500) {
			t.Fatal("full before pressure")
		}
		appendN(t, l, 3, 100)
	}
	for !l.Full(500) {
		appendN(t, l, 3, 100)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.WaitSpace(ctx, 500); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitSpace on a full log: %v", err)
	}
	woke := make(chan error)
	go func() { woke <- l.WaitSpace(context.Background(), 500) }()
	select {
	case err := <-woke:
		t.Fatalf("WaitSpace returned %v before Trim", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := l.Trim(l.NextSeq()); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatalf("WaitSpace after Trim: %v", err)
	}
	if l.Full(500) || l.Pressure() {
		t.Fatal("still full after Trim")
	}
}

func TestWaitSpaceEndsOnClose(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir(), MaxSize: 1000, SegmentSize: 1000})
	woke := make(chan error)
	go func() { woke <- l.WaitSpace(context.Background(), 5000) }()
	time.Sleep(10 * time.Millisecond)
	l.Close()
	if err := <-woke; !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitSpace after Close: %v", err)
	}
}

func TestReaderWaitsAndEndsOnClose(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	r, err := l.NewReader(1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan Record)
	go func() {
		rec, err := r.Next(context.Background())
		if err != nil {
			t.Error(err)
		}
		got <- rec
	}()
	time.Sleep(10 * time.Millisecond)
	appendN(t, l, 1, 10)
	if rec := <-got; rec.Seq != 1 {
		t.Fatalf("got seq %d", rec.Seq)
	}
	go func() { time.Sleep(10 * time.Millisecond); l.Close() }()
	if _, err := r.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
}
