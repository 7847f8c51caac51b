package delivery

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditship/auditship/agent/buffer"
)

// maxNotes bounds the growth notes: past it every other one is dropped,
// which can only make an age look younger, never older.
const maxNotes = 1 << 14

// unsentAge tells how long the oldest event an output has not delivered
// has been in the buffer. Records carry no append time, so a sampler notes
// once a second how far the buffer has grown (its first sequence number
// not yet durable): a record below a note's mark existed at that note's
// time. The age is measured from the first note that covers the record:
// a lower bound, within a second of the truth; for records buffered before
// the agent started it counts from the start.
type unsentAge struct {
	first atomic.Uint64 // the first sequence number not delivered
	mu    sync.Mutex
	notes []growth // ascending next
}

// growth says that every record below next was durable at at.
type growth struct {
	next uint64
	at   time.Time
}

// note records the buffer's growth and forgets what the output passed.
func (a *unsentAge) note(next uint64, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	first := a.first.Load()
	i := sort.Search(len(a.notes), func(i int) bool { return a.notes[i].next > first })
	a.notes = append(a.notes[:0], a.notes[i:]...)
	if n := len(a.notes); n > 0 && a.notes[n-1].next >= next {
		return
	}
	if len(a.notes) >= maxNotes {
		a.thin()
	}
	a.notes = append(a.notes, growth{next, at})
}

func (a *unsentAge) thin() {
	kept := a.notes[:0]
	for i, g := range a.notes {
		if i%2 == 1 || i == len(a.notes)-1 {
			kept = append(kept, g)
		}
	}
	a.notes = kept
}

// seconds is the age at now of the first undelivered record, 0 when the
// output has delivered everything below next (nothing waits).
func (a *unsentAge) seconds(next uint64, now time.Time) float64 {
	first := a.first.Load()
	if first >= next {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	i := sort.Search(len(a.notes), func(i int) bool { return a.notes[i].next > first })
	if i == len(a.notes) {
		return 0 // newer than the last note: under a second
	}
	return math.Max(0, now.Sub(a.notes[i].at).Seconds())
}

// sample notes buf's growth every second until the returned stop is
// called; stop waits for the sampler to end.
func (a *unsentAge) sample(buf *buffer.Log) (stop func()) {
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			a.note(buf.Durable()+1, time.Now())
			select {
			case <-t.C:
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-ended }
}
