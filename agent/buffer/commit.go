package buffer

import (
	"fmt"
	"os"
	"time"

	"github.com/auditship/auditship/internal/fsutil"
)

// commitLoop is the group committer. With "batch" it fsyncs whatever was
// written since its last round, so appends that arrive during one fsync
// share the next. In every mode it calls the onDurable callbacks, in
// append order, outside the writer's path.
func (l *Log) commitLoop() {
	defer close(l.done)
	var last time.Time
	for {
		select {
		case <-l.kick:
			if !l.pace(last) {
				l.commitRound(true)
				return
			}
			last = time.Now()
			l.commitRound(false)
		case <-l.stop:
			l.commitRound(true)
			return
		}
	}
}

// commitGap is the least time between two group fsyncs with "batch": a
// fast writer then shares each fsync among more appends (fewer fsyncs, less
// CPU, more throughput), and an append still becomes durable well within
// the 100 ms SPEC §2 allows.
const commitGap = 20 * time.Millisecond

// pace waits until commitGap after the last round; false if the log is
// closing meanwhile.
func (l *Log) pace(last time.Time) bool {
	if l.o.Fsync != FsyncBatch {
		return true
	}
	wait := time.Until(last.Add(commitGap))
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.stop:
		return false
	}
}

// commitRound runs one round; final (at Close) fsyncs in every mode.
func (l *Log) commitRound(final bool) {
	l.mu.Lock()
	ws := l.waiters
	l.waiters = l.spare[:0]
	files, dir, cur, target := l.unsynced, l.dirDirty, l.syncTarget, l.written
	l.unsynced, l.dirDirty = nil, false
	need := target > l.synced || len(files) > 0 || dir
	err := l.failed // after a failed fsync nothing more becomes durable
	l.mu.Unlock()

	if err == nil && need && (l.o.Fsync == FsyncBatch || final) {
		if err = l.syncAll(files, dir, cur); err != nil {
			err = fmt.Errorf("fsync: %w", err)
		}
	} else {
		closeAll(files)
	}
	l.mu.Lock()
	if err != nil && l.failed == nil {
		l.failed = err
	}
	if err == nil {
		l.synced = max(l.synced, target)
		l.advance(target)
	}
	l.mu.Unlock()
	if l.o.Fsync != FsyncBatch {
		err = nil // their records were durable when appended
	}
	l.notifyAll(ws, err)
}

func (l *Log) notifyAll(ws []func(error), err error) {
	for i, fn := range ws {
		if fn != nil {
			fn(err)
		}
		ws[i] = nil
	}
	l.mu.Lock()
	l.spare = ws[:0]
	l.mu.Unlock()
}

// syncAll fsyncs rolled segments (then closes them), the directory, and
// the active segment.
func (l *Log) syncAll(files []*os.File, dir bool, cur *os.File) error {
	var err error
	for _, f := range files {
		if err == nil {
			err = l.sync(f)
		}
		f.Close()
	}
	if err == nil && dir {
		err = fsutil.SyncDir(l.o.Dir)
	}
	if err == nil {
		err = l.sync(cur)
	}
	return err
}

func (l *Log) sync(f *os.File) error {
	defer l.m.observeSync(time.Now())
	return l.fsync(f)
}

// wake tells the committer there is work, without blocking.
func (l *Log) wake() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
