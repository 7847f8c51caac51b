package fsutil

import (
	"os"
	"sync"
	"sync/atomic"
)

// Sync makes what was written to f durable, as f.Sync does. Where the
// filesystem allows it (see groupable), calls from every goroutine of the
// process share flushes: each waits for one syncfs(2) of f's filesystem
// that starts after it was called, and the calls that arrive while one
// flush runs share the next. An agent with 100 pipelines asks for about
// 2,000 fsyncs a second at 100 lines/s per pipeline (buffer, spool,
// journal, batch files, manifests and index records, each with its
// directory); each costs a journal commit and a cache flush of the disk,
// and they were most of the agent's CPU. Shared, they cost a few flushes
// per commit latency, however many pipelines ask; one pipeline at full
// speed costs the same CPU either way (measured with the peer kit). No
// library does this: it is the group commit of a database, across the
// files of one filesystem.
//
// A failed shared flush does not say which file's data is lost, so each
// caller then fsyncs its own file and returns what that says.
func Sync(f *os.File) error {
	if g := groupOf(f); g != nil {
		return g.sync(f, (*os.File).Sync)
	}
	return f.Sync()
}

// SyncData is Sync for a file whose timestamps need not be durable (an
// append-only log): on its own it is an fdatasync(2).
func SyncData(f *os.File) error {
	if g := groupOf(f); g != nil {
		return g.sync(f, fdatasync)
	}
	return fdatasync(f)
}

// flushes counts the shared flushes made.
var flushes atomic.Uint64

// Flushes is the number of shared flushes (syncfs calls) made so far.
func Flushes() uint64 { return flushes.Load() }

// group is the shared flush of one filesystem.
type group struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	started uint64 // flushes started
	done    uint64 // flushes finished (they run one at a time)
	failed  uint64 // the last flush that failed
	flush   func(*os.File) error
}

func newGroup(flush func(*os.File) error) *group {
	g := &group{flush: flush}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// sync makes f durable with a shared flush that starts after the call,
// or with own(f) when one of the flushes it waited for failed.
func (g *group) sync(f *os.File, own func(*os.File) error) error {
	g.mu.Lock()
	want := g.started + 1
	for g.done < want {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := g.flush(f)
		flushes.Add(1)
		g.mu.Lock()
		g.running, g.done = false, n
		if err != nil {
			g.failed = n
		}
		g.cond.Broadcast()
	}
	failed := g.failed >= want
	g.mu.Unlock()
	if failed {
		return own(f)
	}
	return nil
}

var (
	groupsMu sync.Mutex
	groups   = map[uint64]*group{} // by device; nil: not groupable
)

// groupOf returns the shared flush of f's filesystem, or nil when f must
// be fsynced on its own.
func groupOf(f *os.File) *group {
	if !groupSyncOn() {
		return nil
	}
	dev, ok := deviceOf(f)
	if !ok {
		return nil
	}
	groupsMu.Lock()
	defer groupsMu.Unlock()
	g, seen := groups[dev]
	if !seen {
		if groupable(f) {
			g = newGroup(syncfs)
		}
		groups[dev] = g
	}
	return g
}

// groupSyncOn reports whether shared flushes are allowed: on by default
// where the kernel reports writeback errors from syncfs (Linux 5.8 and
// later); AUDITSHIP_FSYNC=file turns them off (every fsync its own).
var groupSyncOn = sync.OnceValue(func() bool {
	return os.Getenv("AUDITSHIP_FSYNC") != "file" && syncfsReportsErrors()
})

// kernelAtLeast compares a kernel release ("6.1.0-13-amd64") with
// major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	var v [2]int
	i := 0
scan:
	for _, c := range release {
		switch {
		case c >= '0' && c <= '9':
			v[i] = v[i]*10 + int(c-'0')
		case c == '.' && i == 0:
			i = 1
		default:
			break scan
		}
	}
	return v[0] > major || v[0] == major && i == 1 && v[1] >= minor
}
