package format

import (
	"sync"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// Job is one record of a read to decode into Event (see Decode).
type Job struct {
	Event  *event.Event
	Raw    []byte
	Source event.Source
	Flags  Flags
}

// minSplit is the least number of records of a read decoded in parts: a
// full read of a busy file has hundreds, a tailed file written line by
// line a few, which one goroutine decodes sooner than two can start.
const minSplit = 256

// Parallel decodes the records of one read in contiguous parts at once,
// each part on its own goroutine with its own Decoder (a Decoder keeps
// scratch and arenas). Decoding, the _id's SHA-256 included, is most of
// what an input does per event, and an input reads on one goroutine: a
// file read at full speed kept one core busy while the rest of the
// pipeline waited for it. Each event is filled in place, so the events
// keep the read's order, and the read is acknowledged as a whole as
// before.
type Parallel struct {
	decs []*Decoder
	wg   sync.WaitGroup
}

// NewParallel returns a Parallel of n decoders (at least one) for opts.
func NewParallel(opts Options, n int) *Parallel {
	p := &Parallel{decs: make([]*Decoder, max(n, 1))}
	for i := range p.decs {
		p.decs[i] = NewDecoder(opts)
	}
	return p
}

// DecodeAll decodes every job, as Decode does, for records of the source
// sourceID read at now. It returns once all are done; it is not safe for
// concurrent use.
func (p *Parallel) DecodeAll(jobs []Job, sourceID []byte, now time.Time) {
	parts := min(len(p.decs), max(len(jobs)/(minSplit/2), 1)) // at least 1
	size := (len(jobs) + parts - 1) / parts
	for i := 1; i < parts; i++ {
		part := jobs[min(i*size, len(jobs)):min((i+1)*size, len(jobs))]
		p.wg.Add(1)
		go func(d *Decoder) {
			defer p.wg.Done()
			d.decodeAll(part, sourceID, now)
		}(p.decs[i])
	}
	p.decs[0].decodeAll(jobs[:min(size, len(jobs))], sourceID, now)
	p.wg.Wait()
}

func (d *Decoder) decodeAll(jobs []Job, sourceID []byte, now time.Time) {
	for i := range jobs {
		j := &jobs[i]
		d.Decode(j.Event, j.Raw, j.Source, sourceID, j.Flags, now)
	}
}
