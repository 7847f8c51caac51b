package event

import (
	"encoding/binary"
	"hash/fnv"
)

// Capture notes, while AppendJSONCapture renders an envelope, where the
// values of a few top-level keys lie in it, so that the index builder of
// each store output finds them without scanning the stored line again
// (issue 11: the index costs a lookup per value, not a pass per line).
// Only keys rendered under their own name count: a source key renamed
// _orig_<key> is not the key, and a duplicate key that the rendering
// drops is not there at all.
type Capture struct {
	names []string
	lens  uint64 // bit len%64 of each name: most keys are ruled out by one test
	Tag   uint64 // identifies names, so a reader knows what field numbers mean
	out   []byte // (field, offset, length) uvarint triples of the last rendering
}

// NewCapture captures the top-level keys named.
func NewCapture(names []string) *Capture {
	c := &Capture{names: names, Tag: CaptureTag(names)}
	for _, n := range names {
		c.lens |= 1 << (len(n) % 64)
	}
	return c
}

// CaptureTag is the tag of a capture of names (never 0): FNV-1a over the
// names in order, each ended by a zero byte.
func CaptureTag(names []string) uint64 {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return h.Sum64() | 1
}

// Positions are the (field, offset, length) uvarint triples of the last
// AppendJSONCapture, offsets relative to the envelope's first byte.
func (c *Capture) Positions() []byte { return c.out }

func (c *Capture) reset() { c.out = c.out[:0] }

// note records the value at [start, start+n) of the envelope when key is
// one of the names.
func (c *Capture) note(key []byte, start, n int) {
	if c == nil || c.lens&(1<<(len(key)%64)) == 0 {
		return
	}
	for i, name := range c.names {
		if string(key) == name {
			c.out = binary.AppendUvarint(c.out, uint64(i))
			c.out = binary.AppendUvarint(c.out, uint64(start))
			c.out = binary.AppendUvarint(c.out, uint64(n))
			return
		}
	}
}

// EachCaptured calls fn with each (field, offset, length) triple of
// positions; it returns false when positions are malformed.
func EachCaptured(positions []byte, fn func(field, off, n int)) bool {
	for len(positions) > 0 {
		var v [3]uint64
		for i := range v {
			x, k := binary.Uvarint(positions)
			if k <= 0 {
				return false
			}
			v[i], positions = x, positions[k:]
		}
		fn(int(v[0]), int(v[1]), int(v[2]))
	}
	return true
}
