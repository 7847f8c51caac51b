package buffer

import (
	"os"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// Log is the durable log of one pipeline. Append, SetMark and Close belong
// to the single writer; the other methods are safe from any goroutine.
type Log struct {
	o   Options
	log *zap.Logger
	m   *metrics

	// test hooks for write and fsync errors
	writeAt func(f *os.File, b []byte, off int64) (int, error)
	fsync   func(f *os.File) error

	wmu        sync.Mutex // the writer's state below
	active     *os.File
	activeSize int64
	nextSeq    uint64
	buf, mbuf  []byte
	obuf       []byte // the marks record opening a write
	marks      map[string]*mark
	dirty      []*mark
	closed     bool
	undos      atomic.Uint64 // failed appends taken back from a segment

	mu         sync.Mutex // shared state below
	segs       []segment
	bytes      int64
	written    uint64 // last seq written
	synced     uint64 // last seq fsynced by the committer
	durable    atomic.Uint64
	syncTarget *os.File // the file the committer fsyncs
	unsynced   []*os.File
	dirDirty   bool
	waiters    []func(error)
	spare      []func(error)
	failed     error
	isClosed   bool
	notify     chan struct{} // closed when durable advances or the log closes
	notified   bool          // a reader holds notify
	space      chan struct{} // closed when Trim frees space or the log closes
	lost       []Lost
	trimBefore uint64 // the highest Trim bound
	seenGaps   map[gapKey]bool
	copied     map[uint64]bool

	kick, stop, done chan struct{}
}

type gapKey struct {
	seg uint64
	off int64
}

// NextSeq is the sequence number the next appended record gets.
func (l *Log) NextSeq() uint64 {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.nextSeq
}

// Durable is the highest sequence number readers may see: fsynced with
// "always" and "batch", written with "never".
func (l *Log) Durable() uint64 { return l.durable.Load() }

// Lost lists the ranges lost to corruption found so far.
func (l *Log) Lost() []Lost {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Lost(nil), l.lost...)
}

// advance publishes seq as durable and wakes readers; l.mu is held.
func (l *Log) advance(seq uint64) {
	if seq <= l.durable.Load() {
		return
	}
	l.durable.Store(seq)
	if l.notified {
		close(l.notify)
		l.notify, l.notified = make(chan struct{}), false
	}
}

// Close flushes and fsyncs what was appended, stops the committer and
// ends every reader's wait. It is idempotent.
func (l *Log) Close() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	close(l.stop)
	<-l.done
	l.mu.Lock()
	err := l.failed
	l.isClosed = true
	close(l.notify)
	close(l.space)
	l.mu.Unlock()
	if cerr := l.active.Close(); err == nil {
		err = cerr
	}
	return err
}
