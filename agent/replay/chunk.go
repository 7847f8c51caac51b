package replay

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/record"
	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/event"
)

// Chunk bounds: matching events are appended to the buffer in groups of
// about this size, each with one lookup in a target that dedupes by _id.
const (
	chunkEvents = 2000
	chunkBytes  = 4 << 20
)

// chunk is the matching events read since the last append, and where
// each source stream's reading stands after them.
type chunk struct {
	events []*event.Event
	lines  [][]byte      // the events' lines, in arena
	arena  []byte        // the lines read since the last append, copied out of the reader's buffer
	store  []event.Event // what events point to: chunkEvents, allocated once
	bytes  int
	limit  int               // chunkBytes, or less in a small buffer
	pos    map[string][]byte // source key → position after the chunk (positions.encode)
	recs   []byte
	kinds  []buffer.Kind
	pays   [][]byte
}

// hold copies a line read into the chunk's arena: the reader reuses its
// bytes, and a chunk's events alias their lines. drop gives back the
// last line held when its event is not added.
func (c *chunk) hold(line []byte) []byte {
	if len(c.arena)+len(line) > cap(c.arena) {
		// a larger arena, kept from then on; the lines held so far keep
		// the old one till reset
		c.arena = make([]byte, 0, max(2*cap(c.arena), 256<<10, 2*len(line)))
	}
	start := len(c.arena)
	c.arena = append(c.arena, line...)
	return c.arena[start:len(c.arena):len(c.arena)]
}

func (c *chunk) drop(line []byte) { c.arena = c.arena[:len(c.arena)-len(line)] }

// event is a chunk's own event, a copy of e.
func (c *chunk) event(e *event.Event) *event.Event {
	if c.store == nil {
		c.store = make([]event.Event, 0, chunkEvents)
	}
	c.store = append(c.store, *e)
	return &c.store[len(c.store)-1]
}

func (c *chunk) add(e *event.Event, line []byte, key string, sizeBefore uint64, next int) {
	c.events = append(c.events, e)
	c.lines = append(c.lines, line)
	c.bytes += len(line)
	if c.pos == nil {
		c.pos = map[string][]byte{}
	}
	c.pos[key] = encodePosition(sizeBefore, next)
}

func (c *chunk) full() bool { return len(c.events) >= chunkEvents || c.bytes >= c.limit }

func (c *chunk) reset() {
	clear(c.events)
	clear(c.lines)
	clear(c.store)
	c.events, c.lines, c.bytes = c.events[:0], c.lines[:0], 0
	c.store, c.arena = c.store[:0], c.arena[:0]
	clear(c.pos)
}

// flush appends the chunk's events that the target does not hold yet,
// numbered for the replay stream, with the source positions after them:
// events and positions become durable together, so a replay killed at any
// point continues after the last durable event and duplicates none.
func (f *feeder) flush(ctx context.Context) error {
	c := &f.chunk
	if len(c.events) == 0 {
		return nil
	}
	keep, err := f.absent(ctx)
	if err != nil {
		return err
	}
	if len(keep) > 0 {
		if err := f.append(ctx, keep); err != nil {
			return err
		}
	}
	c.reset()
	return nil
}

// absent drops from the chunk the events the target holds already.
func (f *feeder) absent(ctx context.Context) ([]int, error) {
	c := &f.chunk
	keep := make([]int, 0, len(c.events))
	if f.r.present == nil {
		for i := range c.events {
			keep = append(keep, i)
		}
		return keep, nil
	}
	ids := make([]string, len(c.events))
	for i, e := range c.events {
		ids[i] = e.ID
	}
	var found map[string]bool
	err := f.retry(ctx, "look up stored ids in the target", func() (err error) {
		found, err = f.r.present.Present(ctx, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, e := range c.events {
		if found[e.ID] {
			f.prog.Present++
			continue
		}
		keep = append(keep, i)
	}
	return keep, nil
}

// append encodes the kept events as buffer records and appends them.
func (f *feeder) append(ctx context.Context, keep []int) error {
	c := &f.chunk
	buf := f.r.buf
	first := buf.NextSeq() // the feeder is the buffer's only writer
	c.recs, c.kinds, c.pays = c.recs[:0], c.kinds[:0], c.pays[:0]
	ends := make([]int, 0, len(keep))
	var env []byte
	for k, i := range keep {
		e := c.events[i]
		env, _ = renumber(env[:0], c.lines[i], first+uint64(k))
		e.Envelope = env
		c.recs = record.AppendEvent(c.recs, e, false)
		ends = append(ends, len(c.recs))
		c.kinds = append(c.kinds, buffer.KindEvent)
	}
	start := 0
	for _, end := range ends {
		c.pays = append(c.pays, c.recs[start:end:end])
		start = end
	}
	if err := f.room(ctx, int64(len(c.recs)+32*len(keep))); err != nil {
		return err
	}
	for key, v := range c.pos {
		buf.SetMark(key, v)
	}
	f.appends.Add(1)
	if err := buf.Append(c.kinds, c.pays, f.durable); err != nil {
		f.appends.Done()
		return fmt.Errorf("append to the replay buffer: %w", err)
	}
	f.shipped += int64(len(keep))
	return nil
}

// room waits until the buffer has space for n bytes: the sender is behind.
func (f *feeder) room(ctx context.Context, n int64) error {
	if !f.r.buf.Full(n) {
		return nil
	}
	f.r.trim()
	for f.r.buf.Full(n) {
		if err := f.r.buf.WaitSpace(ctx, n); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		backoff.Sleep(ctx, 100*time.Millisecond)
	}
	return nil
}

func (f *feeder) durable(err error) {
	defer f.appends.Done()
	if err != nil {
		f.mu.Lock()
		f.failed = fmt.Errorf("replay buffer fsync: %w", err)
		f.mu.Unlock()
	}
}

// positions is, per source stream, how far earlier runs appended: the
// tree size before the last batch read from and the next line in it.
type positions map[string][]byte

func loadPositions(marks map[string][]byte) positions { return positions(marks) }

func encodePosition(sizeBefore uint64, next int) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), sizeBefore)
	return binary.BigEndian.AppendUint64(b, uint64(next))
}

// from is the first line of the batch at sizeBefore still to read; ok is
// false when an earlier run passed the whole batch.
func (p positions) from(key string, sizeBefore uint64) (int, bool) {
	v, found := p[key]
	if !found || len(v) != 16 {
		return 0, true
	}
	at, next := binary.BigEndian.Uint64(v), int(binary.BigEndian.Uint64(v[8:]))
	switch {
	case sizeBefore < at:
		return 0, false
	case sizeBefore == at:
		return next, true
	}
	return 0, true
}

// sourceKey names a source stream in the buffer's marks.
func sourceKey(sel chain.Selected) string { return "src\x00" + sel.Pipeline + "\x00" + sel.Stream }
