package record

import (
	"encoding/binary"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/internal/event"
)

// Encoder turns one read batch into buffer records, reusing its memory
// from batch to batch.
type Encoder struct {
	first    uint64        // sequence number of the first record
	Kinds    []buffer.Kind // the records, ready for buffer.Log.Append
	Payloads [][]byte
	ends     []int // end offset of each payload in buf
	buf      []byte
	kept     []*event.Event
	mk       []Mark
	// Capture, when set, notes where the index fields' values lie in
	// each envelope, kept in the record for the senders' index builders.
	Capture *event.Capture
}

// Mark is where a source's last record of the batch ends (big-endian
// uint64), keyed by input and source key: buffer.Log.SetMark's arguments.
type Mark struct {
	Key string
	End []byte
}

// Reset starts a batch whose first record gets sequence number first.
func (c *Encoder) Reset(first uint64) {
	c.first = first
	c.Kinds, c.Payloads, c.ends, c.buf = c.Kinds[:0], c.Payloads[:0], c.ends[:0], c.buf[:0]
	clear(c.kept)
	c.kept = c.kept[:0]
}

// Len is the number of records encoded.
func (c *Encoder) Len() int { return len(c.Kinds) }

// Events numbers evs and encodes them.
func (c *Encoder) Events(evs []*event.Event, keepRaw bool) {
	for _, e := range evs {
		e.Seq = c.first + uint64(len(c.Kinds))
		if c.Capture != nil {
			c.buf = AppendEventCapture(c.buf, e, keepRaw, c.Capture)
		} else {
			c.buf = AppendEvent(c.buf, e, keepRaw)
		}
		c.push(buffer.KindEvent)
		c.kept = append(c.kept, e)
	}
	c.slice()
}

// Drop encodes one drop record for evs.
func (c *Encoder) Drop(reason string, evs []*event.Event) {
	c.buf = append(c.buf, NewDrop(reason, evs)...)
	c.push(buffer.KindDrop)
	c.slice()
}

// DropAll replaces the batch's events by one drop record (when_full =
// drop_newest) and returns how many were dropped.
func (c *Encoder) DropAll(reason string) int {
	n := len(c.kept)
	kept := append([]*event.Event(nil), c.kept...)
	kinds, ends := c.Kinds, c.ends
	c.Kinds, c.ends, c.buf = c.Kinds[:0], c.ends[:0], c.buf[:0]
	c.Payloads = c.Payloads[:0]
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
	c.Drop(reason, kept)
	clear(c.kept)
	c.kept = c.kept[:0]
	return n
}

func (c *Encoder) push(k buffer.Kind) {
	c.Kinds = append(c.Kinds, k)
	c.ends = append(c.ends, len(c.buf))
}

// slice points payloads into buf, now that it has stopped growing.
func (c *Encoder) slice() {
	c.Payloads = c.Payloads[:0]
	start := 0
	for _, end := range c.ends {
		c.Payloads = append(c.Payloads, c.buf[start:end:end])
		start = end
	}
}

// Size is what the batch adds to the buffer, frames included.
func (c *Encoder) Size() int64 {
	return int64(len(c.buf) + 32*len(c.Kinds))
}

// Marks lists, per source, where its last encoded record ends.
func (c *Encoder) Marks() []Mark {
	c.mk = c.mk[:0]
	for _, e := range c.kept {
		if e.Source.Key == "" {
			continue
		}
		key := e.Source.Input + "\x00" + e.Source.Key
		if n := len(c.mk); n > 0 && c.mk[n-1].Key == key {
			binary.BigEndian.PutUint64(c.mk[n-1].End, uint64(e.Source.End))
			continue
		}
		c.mk = append(c.mk, Mark{Key: key, End: binary.BigEndian.AppendUint64(nil, uint64(e.Source.End))})
	}
	return c.mk
}
