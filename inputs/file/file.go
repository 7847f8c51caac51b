// Package file is the `file` input: it tails files matching globs across
// rotation and restarts, checkpointing only what the pipeline acked.
//
// The reader is written here on fsnotify (plus polling) rather than on
// nxadm/tail: tail hands out lines, not the byte offset where each starts
// and ends, tracks a file by name and inode rather than by a fingerprint of
// its first bytes, and moves its own position as it reads — but a
// checkpoint here may follow only the acks, and an _id needs each record's
// exact offset. It also reads line by line, where large chunks split without
// copying are what keep the hot path cheap.
package file

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

// chunkSize is the largest read: big reads amortise syscalls and parsing.
const chunkSize = 256 << 10

var errClosed = errors.New("file input closed")

// input implements inputs.Input for files. Read runs on one goroutine; acks
// arrive on others and only touch the store.
type input struct {
	cfg      *Config
	set      inputs.Settings
	log      *zap.Logger
	interval time.Duration
	st       *store
	m        *metrics
	w        *watcher
	timer    *time.Timer // wait's, reused: one per input, not one per wake-up

	readMu    sync.Mutex // held by Read; Close waits for it
	files     []*tfile   // round-robin order
	byID      map[fileID]*tfile
	byPath    map[string]*tfile
	copies    map[fileID]int64  // copies of tracked files, by size seen
	lineless  map[fileID]int64  // files without a complete first line, by size seen
	failing   map[string]string // path → the operation that failed on it
	unmatched map[string]bool   // globs reported as matching nothing
	rr        int
	open      int
	first     bool // the first scan of the very first start
	started   bool // the first scan of this process: look for moved files
	lastScan  time.Time
	lastRead  time.Time     // when Read last returned events
	readGap   time.Duration // defaultReadGap; a test's own
	needScan  bool
	scans     int    // scans done: a test's count
	spare     []byte // a chunk buffer no event refers to
	headBuf   []byte // sameHead's read of a file's first bytes
	recs      []record.Record
	jobs      []format.Job // the records of a read to decode

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func newInput(cfg *Config, s inputs.Settings) (*input, error) {
	if s.Logger == nil {
		s.Logger = zap.NewNop()
	}
	in := &input{
		cfg: cfg, set: s, log: s.Logger, interval: cfg.scanInterval(), readGap: defaultReadGap,
		st:   &store{name: filepath.Join(s.StateDir, "checkpoints.json"), log: s.Logger},
		byID: map[fileID]*tfile{}, byPath: map[string]*tfile{}, copies: map[fileID]int64{},
		lineless: map[fileID]int64{}, failing: map[string]string{}, unmatched: map[string]bool{},
		first: s.FirstStart, started: true, needScan: true, done: make(chan struct{}),
	}
	if err := in.st.load(); err != nil {
		return nil, err
	}
	m, err := newMetrics(s.Registerer, in.st.lagBytes)
	if err != nil {
		return nil, err
	}
	in.m = m
	in.w = newWatcher(cfg.Paths, s.Watch, in.log)
	return in, nil
}

// Read returns the next events of one file, taking files in turn. It
// blocks until there is something to return or ctx ends.
func (in *input) Read(ctx context.Context) ([]*event.Event, event.AckFunc, error) {
	in.readMu.Lock()
	defer in.readMu.Unlock()
	for {
		select {
		case <-in.done:
			return nil, nil, errClosed
		default:
		}
		in.takeNews()
		if in.needScan || time.Since(in.lastScan) >= in.interval {
			in.scan()
		}
		if evs, ack := in.next(time.Now()); len(evs) > 0 {
			in.lastRead = time.Now()
			return evs, ack, nil
		}
		if err := in.wait(ctx); err != nil {
			return nil, nil, err
		}
	}
}

// takeNews applies what the watcher saw: a written file that is open and
// still the content it was has news; anything else (a new or unknown
// path, a file shorter than what was read or with another head, any
// change but a write) rescans. A tailed file written line by line thus
// costs an fstat and a read of its head per wake-up, not a glob and a
// stat of every path.
func (in *input) takeNews() {
	names, rescan := in.w.take()
	in.needScan = in.needScan || rescan
	for name := range names {
		in.news(name)
	}
}

// news handles a write seen on name. Its bytes may be read already (a
// read takes what was written since the last stat too): then the file
// stays at its end, with no read for nothing.
func (in *input) news(name string) {
	if t := in.byPath[name]; t != nil && t.f != nil && in.unchanged(t) {
		t.eof = t.eof && t.size <= t.off
	} else {
		in.needScan = true
	}
}

// unchanged checks, through its open descriptor, that t still holds what
// was read of it: not truncated, same head. It records the new size as a
// scan would.
func (in *input) unchanged(t *tfile) bool {
	fi, err := t.f.Stat()
	if err != nil || fi.Size() < t.off || !in.sameHead(t) {
		return false
	}
	t.size = fi.Size()
	in.st.with(func() { t.r.size = t.size })
	return true
}

// wait blocks until the watcher reports, the next scan or multi-line
// flush is due, or ctx ends.
func (in *input) wait(ctx context.Context) error {
	d := time.Until(in.lastScan.Add(in.interval))
	if at, ok := in.nextFlush(); ok {
		d = min(d, time.Until(at))
	}
	if in.timer == nil {
		in.timer = time.NewTimer(max(d, 0))
	} else {
		in.timer.Reset(max(d, 0)) // Go 1.23 timers: no stale value after Reset
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-in.done:
		return errClosed
	case <-in.w.wake():
		return in.gap(ctx)
	case <-in.timer.C:
		// A scan reads what the watcher reported meanwhile too: not
		// sooner than a wake-up would. A multi-line flush that is due
		// does not wait.
		if _, flush := in.nextFlush(); !flush {
			return in.gap(ctx)
		}
	}
	return nil
}

// defaultReadGap is the least time between two reads of an input that
// has caught up with its files. A file written line by line (an engine
// writing one audit entry at a time) is then read once per gap, the lines
// written meanwhile taken together, not once per write: each read costs a
// stat and a head check of the file, an append to the buffer and that
// append's fsync. For 100 files each written 100 times a second, buffer
// fsyncs go from about 30 to about 5 per pipeline and second, and the
// agent's CPU from 109–116% to 97–103% of a core (scripts/bench/scale.sh,
// 2026-12-01; the output batches are most of what is left). A line waits
// at most the gap longer; an input that still has bytes to read never
// waits here (Read waits only once every file is read to its end).
const defaultReadGap = 200 * time.Millisecond

// gap waits, after a wake-up, until readGap has passed since the last
// read that returned events.
func (in *input) gap(ctx context.Context) error {
	d := time.Until(in.lastRead.Add(in.readGap))
	if d <= 0 {
		return nil
	}
	in.timer.Reset(d)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-in.done:
		return errClosed
	case <-in.timer.C:
	}
	return nil
}

// Close stops watching, closes every file and writes the checkpoints.
func (in *input) Close(ctx context.Context) error {
	in.closeOnce.Do(func() {
		close(in.done)
		in.w.close()
		in.readMu.Lock()
		defer in.readMu.Unlock()
		for _, t := range in.files {
			in.closeFile(t)
		}
		if in.timer != nil {
			in.timer.Stop()
		}
		in.closeErr = in.st.close()
	})
	return in.closeErr
}
