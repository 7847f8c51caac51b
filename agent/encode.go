package agent

import (
	"encoding/binary"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/internal/event"
)

// encoder turns one read batch into buffer records, reusing its memory
// from batch to batch.
type encoder struct {
	first    uint64 // sequence number of the first record
	kinds    []buffer.Kind
	payloads [][]byte
	ends     []int // end offset of each payload in buf
	buf      []byte
	kept     []*event.Event
	mk       []mark
}

// mark is where a source's last record of the batch ends.
type mark struct {
	key string
	end []byte
}

func (c *encoder) reset(first uint64) {
	c.first = first
	c.kinds, c.payloads, c.ends, c.buf = c.kinds[:0], c.payloads[:0], c.ends[:0], c.buf[:0]
	clear(c.kept)
	c.kept = c.kept[:0]
}

func (c *encoder) len() int { return len(c.kinds) }

// events numbers evs and encodes them.
func (c *encoder) events(evs []*event.Event, keepRaw bool) {
	for _, e := range evs {
		e.Seq = c.first + uint64(len(c.kinds))
		c.buf = appendEventRecord(c.buf, e, keepRaw)
		c.push(buffer.KindEvent)
		c.kept = append(c.kept, e)
	}
	c.slice()
}

// drop encodes one drop record for evs.
func (c *encoder) drop(reason string, evs []*event.Event) {
	c.buf = append(c.buf, newDropRecord(reason, evs)...)
	c.push(buffer.KindDrop)
	c.slice()
}

// dropAll replaces the batch's events by one drop record (when_full =
// drop_newest) and returns how many were dropped.
func (c *encoder) dropAll(reason string) int {
	n := len(c.kept)
	kept := append([]*event.Event(nil), c.kept...)
	kinds, ends := c.kinds, c.ends
	c.kinds, c.ends, c.buf = c.kinds[:0], c.ends[:0], c.buf[:0]
	c.payloads = c.payloads[:0]
	// Keep the processors' drop records, which come first.
	var drops [][]byte
	for i, k := range kinds {
		if k == buffer.KindDrop {
			start := 0
			if i > 0 {
				start = ends[i-1]
			}
			drops = append(drops, append([]byte(nil), c.buf[start:ends[i]]...))
		}
	}
	for _, d := range drops {
		c.buf = append(c.buf, d...)
		c.push(buffer.KindDrop)
	}
	c.drop(reason, kept)
	clear(c.kept)
	c.kept = c.kept[:0]
	return n
}

func (c *encoder) push(k buffer.Kind) {
	c.kinds = append(c.kinds, k)
	c.ends = append(c.ends, len(c.buf))
}

// slice points payloads into buf, now that it has stopped growing.
func (c *encoder) slice() {
	c.payloads = c.payloads[:0]
	start := 0
	for _, end := range c.ends {
		c.payloads = append(c.payloads, c.buf[start:end:end])
		start = end
	}
}

// size is what the batch adds to the buffer, frames included.
func (c *encoder) size() int64 {
	return int64(len(c.buf) + 32*len(c.kinds))
}

// marks lists, per source, where its last encoded record ends.
func (c *encoder) marks() []mark {
	c.mk = c.mk[:0]
	for _, e := range c.kept {
		if e.Source.Key == "" {
			continue
		}
		key := e.Source.Input + "\x00" + e.Source.Key
		if n := len(c.mk); n > 0 && c.mk[n-1].key == key {
			binary.BigEndian.PutUint64(c.mk[n-1].end, uint64(e.Source.End))
			continue
		}
		c.mk = append(c.mk, mark{key: key, end: binary.BigEndian.AppendUint64(nil, uint64(e.Source.End))})
	}
	return c.mk
}
