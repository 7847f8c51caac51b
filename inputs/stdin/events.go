package stdin

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"time"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

// sourceID hashes the stream's first line as it streams past.
type sourceID struct {
	h   hash.Hash
	sum []byte
}

func newSourceID() sourceID { return sourceID{h: sha256.New()} }

func (s *sourceID) write(b []byte) {
	if s.sum != nil {
		return
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		s.h.Write(b[:i])
		s.sum = s.h.Sum(nil)
		return
	}
	s.h.Write(b)
}

// get is the id: of the first line, or of everything read when the
// stream had no complete line.
func (s *sourceID) get() []byte {
	if s.sum == nil {
		return s.h.Sum(nil)
	}
	return s.sum
}

// events decodes recs into events of one allocation.
func (in *input) events(recs []record.Record) ([]*event.Event, event.AckFunc) {
	sid, now := in.sid.get(), time.Now()
	evs := make([]event.Event, len(recs))
	out := make([]*event.Event, len(recs))
	jobs := in.jobs[:0]
	for i := range recs {
		r := &recs[i]
		jobs = append(jobs, format.Job{Event: &evs[i], Raw: r.Raw,
			Source: event.Source{Input: in.set.Name, Path: "-", Offset: r.Offset, End: r.End},
			Flags:  format.Flags{Partial: r.Partial, Truncated: r.Truncated, OriginalLength: r.OriginalLength, Orphan: r.Orphan}})
		out[i] = &evs[i]
	}
	in.set.Decoder.DecodeAll(jobs, sid, now)
	clear(jobs)
	in.jobs = jobs[:0]
	end := recs[len(recs)-1].End
	clear(recs)
	in.recs = recs[:0]
	return out, in.emitted(len(out), end)
}
