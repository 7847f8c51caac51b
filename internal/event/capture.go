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
	lens  uint64    // bit len%64 of each name: most keys are ruled out by one test
	first [4]uint64 // bit of each name's first byte: most of the rest by another
	Tag   uint64    // identifies names, so a reader knows what field numbers mean
	out   []byte    // positions of the last rendering (PositionSize bytes each)
	over  bool      // the last rendering had a value beyond what positions can say
}

// PositionSize is the size of one position: the field's number (1 byte),
// its value's offset and length in the envelope (2 bytes each, little
// endian). Fixed, so that the sender reads them without decoding
// varints; an envelope whose values lie past 64 KiB, with more than
// maxPositions values noted, or a capture of more than 256 names,
// records none (the sender scans those lines).
const PositionSize = 5

const (
	maxPosition  = 1<<16 - 1
	maxPositions = 255 // a record says how many in one byte
)

// NewCapture captures the top-level keys named.
func NewCapture(names []string) *Capture {
	c := &Capture{names: names, Tag: CaptureTag(names)}
	for _, n := range names {
		c.lens |= 1 << (len(n) % 64)
		if n != "" {
			c.first[n[0]/64] |= 1 << (n[0] % 64)
		}
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

// Positions are the positions noted by the last AppendJSONCapture,
// offsets relative to the envelope's first byte; ok is false when they
// could not all be noted (the line must be scanned).
func (c *Capture) Positions() (positions []byte, ok bool) { return c.out, !c.over }

func (c *Capture) reset() { c.out, c.over = c.out[:0], false }

// note records the value at [start, start+n) of the envelope when key is
// one of the names. Small enough to be inlined: most keys are ruled out
// by their length without a call.
func (c *Capture) note(key []byte, start, n int) {
	if c.wants(key) {
		c.noteName(key, start, n)
	}
}

// wants reports whether key may be one of the names (false: certainly
// not); false for a nil capture.
func (c *Capture) wants(key []byte) bool {
	return c != nil && len(key) > 0 && c.lens&(1<<(len(key)%64)) != 0 && c.first[key[0]/64]&(1<<(key[0]%64)) != 0
}

func (c *Capture) noteName(key []byte, start, n int) {
	for i, name := range c.names {
		if string(key) == name {
			if i > 255 || start+n > maxPosition || len(c.out) >= maxPositions*PositionSize {
				c.over = true
				return
			}
			c.out = append(c.out, byte(i), byte(start), byte(start>>8), byte(n), byte(n>>8))
			return
		}
	}
}

// EachCaptured calls fn with each position's field number, offset and
// length; it returns false when positions are malformed.
func EachCaptured(positions []byte, fn func(field, off, n int)) bool {
	if len(positions)%PositionSize != 0 {
		return false
	}
	for p := positions; len(p) > 0; p = p[PositionSize:] {
		fn(Position(p))
	}
	return true
}

// Position decodes the first position of p (at least PositionSize bytes).
func Position(p []byte) (field, off, n int) {
	_ = p[4]
	return int(p[0]), int(binary.LittleEndian.Uint16(p[1:])), int(binary.LittleEndian.Uint16(p[3:]))
}
