package file

import (
	"bytes"
	"time"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

// next takes the files in turn from where the last Read stopped and
// returns the records of the first that has some, as events.
func (in *input) next(now time.Time) ([]*event.Event, event.AckFunc) {
	for progress := true; progress; {
		progress = false
		for range len(in.files) {
			in.rr = (in.rr + 1) % len(in.files)
			t := in.files[in.rr]
			recs, moved := in.pull(t, now)
			progress = progress || moved
			if len(recs) == 0 {
				continue
			}
			evs, ack := in.events(t, recs, now)
			if len(evs) > 0 {
				return evs, ack
			}
			ack(nil) // every record was in the buffer already
		}
	}
	return nil, nil
}

// pull gets the next records of t: its End when due, a chunk's records
// while it has bytes, or an open multi-line record past its flush timeout.
func (in *input) pull(t *tfile, now time.Time) (recs []record.Record, moved bool) {
	switch {
	case t.finalDue:
		return in.finish(t), false
	case t.f != nil && !t.eof:
		return in.readChunk(t, now), true
	case in.flushDue(t, now):
		return t.fr.Flush(in.recs[:0]), false
	}
	return nil, false
}

// smallSlack is what a small read's own buffer has beyond the bytes known
// to wait: a line written since then still fits.
const smallSlack = 4 << 10

// readChunk reads one chunk of t. A short read into the large buffer is
// copied out so that the buffer serves the next read; a full one is handed
// to the framer. A read of the few bytes known to wait gets a buffer of its
// own (no copy), and drops the large one: a tail written line by line
// holds no 256 KiB chunk.
func (in *input) readChunk(t *tfile, now time.Time) []record.Record {
	buf, small := in.chunkFor(t)
	n, err := t.read(buf)
	if err != nil {
		in.failed(t.path, "read", err)
		t.eof = true
		return nil
	}
	if n == 0 {
		return nil
	}
	in.m.readBytes.Add(float64(n))
	data := buf[:n]
	switch {
	case small:
		in.spare = nil
	case n < chunkSize/4:
		data = bytes.Clone(data)
	default:
		in.spare = nil
	}
	t.flushAt = now.Add(in.set.FlushTimeout)
	return t.fr.Write(data, in.recs[:0])
}

// chunkFor is the buffer of t's next read: its own, the size of the bytes
// known to wait (size at the last scan or news, less the offset), when
// they fit in a chunk; else the large one. A pipeline that lags a little
// (100 pipelines on 2 cores) thus reads what waits into a buffer its size,
// not into a 256 KiB chunk that its events then keep.
func (in *input) chunkFor(t *tfile) (buf []byte, small bool) {
	if w := t.size - t.off; w > 0 && w <= chunkSize-smallSlack {
		return make([]byte, w+smallSlack), true
	}
	if in.spare == nil {
		in.spare = make([]byte, chunkSize)
	}
	return in.spare, false
}

func (in *input) flushDue(t *tfile, now time.Time) bool {
	return t.fr != nil && in.set.FlushTimeout > 0 && t.eof && t.fr.Pending() && !now.Before(t.flushAt)
}

// nextFlush is the earliest multi-line flush deadline.
func (in *input) nextFlush() (time.Time, bool) {
	var at time.Time
	for _, t := range in.files {
		if t.fr != nil && in.set.FlushTimeout > 0 && t.fr.Pending() && (at.IsZero() || t.flushAt.Before(at)) {
			at = t.flushAt
		}
	}
	return at, !at.IsZero()
}

// finish ends a rotated, deleted or truncated file: the open record and
// the held partial line are emitted, and the file is closed.
func (in *input) finish(t *tfile) []record.Record {
	t.finalDue = false
	var recs []record.Record
	if t.fr != nil {
		recs = t.fr.End(in.recs[:0])
		t.end = t.fr.Checkpoint()
		t.fr = nil
	}
	in.closeFile(t)
	t.done = t.retired
	return recs
}

// events decodes recs into events of one allocation and registers the
// read for its ack.
func (in *input) events(t *tfile, recs []record.Record, now time.Time) ([]*event.Event, event.AckFunc) {
	evs := make([]event.Event, len(recs))
	out := make([]*event.Event, 0, len(recs))
	jobs := in.jobs[:0]
	for i := range recs {
		r := &recs[i]
		if r.End <= t.resume {
			continue // durable in the buffer already
		}
		jobs = append(jobs, format.Job{Event: &evs[i], Raw: r.Raw,
			Source: event.Source{Input: in.set.Name, Key: t.key, Path: t.path, Offset: r.Offset, End: r.End},
			Flags:  format.Flags{Partial: r.Partial, Truncated: r.Truncated, OriginalLength: r.OriginalLength, Orphan: r.Orphan}})
		out = append(out, &evs[i])
	}
	in.set.Decoder.DecodeAll(jobs, t.sid, now)
	clear(jobs)
	in.jobs = jobs[:0]
	end := t.end
	if t.fr != nil {
		end = t.fr.Checkpoint()
	}
	clear(recs)
	in.recs = recs[:0]
	return out, in.st.track(t.r, end)
}
