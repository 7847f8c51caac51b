package file

import (
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
)

// saveDelay debounces checkpoint writes: acks arrive per batch, the file is
// written at most this often. A checkpoint behind the buffer costs no
// re-read after a crash (an input resumes after the last record of a
// source in the buffer, inputs.Settings.Resume; the buffer carries those
// marks into every segment it starts), so this bounds fsyncs, not
// duplicates: each write is a temp file, an fsync, a rename and an fsync
// of the directory, per input. At 1 s they were about a sixth of the CPU
// of 100 pipelines tailing 100 lines/s each.
const saveDelay = 5 * time.Second

// forgetAfter drops the checkpoint of a file not seen for this long.
const forgetAfter = time.Hour

// rec is the checkpoint of one file identity. Its fields are guarded by
// store.mu: acks arrive on other goroutines.
type rec struct {
	fp       fingerprint
	offset   int64 // everything before it is acked
	sourceID []byte
	path     string // informational
	size     int64  // the file's size when last seen
	dev, ino uint64
	seen     time.Time
	live     bool    // a tracked file holds it; never forgotten
	pending  []*pend // reads not yet acked, in read order
}

// pend is one Read's range of a file: acked or not yet.
type pend struct {
	end   int64 // the framer's checkpoint after the read
	done  bool
	acked bool
}

// store holds every rec and writes them to one JSON file.
type store struct {
	name string
	log  *zap.Logger
	mu   sync.Mutex
	recs []*rec
	tm   *time.Timer
	wmu  sync.Mutex // serialises file writes

	failing bool // the last save failed (guarded by mu)
}

// with runs fn under the lock and schedules a save.
func (s *store) with(fn func()) {
	s.mu.Lock()
	fn()
	s.mu.Unlock()
	s.schedule()
}

// add registers a new rec.
func (s *store) add(r *rec) {
	s.with(func() { s.recs = append(s.recs, r) })
}

// track records a read of r ending at checkpoint end and returns its ack.
func (s *store) track(r *rec, end int64) event.AckFunc {
	p := &pend{end: end}
	s.mu.Lock()
	r.pending = append(r.pending, p)
	s.mu.Unlock()
	return func(err error) { s.ack(r, p, err) }
}

// ack marks p done and advances r to the end of its contiguous acked
// prefix. A failed read stays pending: the checkpoint stops there and the
// range is read again after a restart.
func (s *store) ack(r *rec, p *pend, err error) {
	s.mu.Lock()
	if p.acked {
		s.mu.Unlock()
		return
	}
	p.acked, p.done = true, err == nil
	moved := false
	for len(r.pending) > 0 && r.pending[0].done {
		r.offset, r.pending = r.pending[0].end, r.pending[1:]
		moved = true
	}
	s.mu.Unlock()
	if moved {
		s.schedule()
	}
}

// schedule arranges a save within saveDelay.
func (s *store) schedule() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tm == nil {
		s.tm = time.AfterFunc(saveDelay, s.saveLater)
	}
}

func (s *store) saveLater() {
	s.mu.Lock()
	s.tm = nil
	s.mu.Unlock()
	s.saveNow()
}

// saveNow writes the file at once; a failure is retried by a scheduled
// save and logged once per change.
func (s *store) saveNow() {
	err := s.save()
	if err != nil {
		s.schedule()
	}
	s.mu.Lock()
	failing, changed := err != nil, (err != nil) != s.failing // log once per change
	s.failing = failing
	s.mu.Unlock()
	if changed {
		if failing {
			s.log.Warn("checkpoint write failed; retrying", zap.Error(err))
		} else {
			s.log.Info("checkpoint writes work again")
		}
	}
}

// close stops the timer and writes the file once more.
func (s *store) close() error {
	s.mu.Lock()
	if s.tm != nil {
		s.tm.Stop()
		s.tm = nil
	}
	s.mu.Unlock()
	return s.save()
}
