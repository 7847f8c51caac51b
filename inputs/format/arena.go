package format

import (
	"unsafe"

	"github.com/auditship/auditship/internal/event"
)

// Events are decoded into fresh structs, so each one's Fields, _id and
// _time would cost allocations of their own (six or so as Fields grows).
// The decoder carves them from shared chunks instead: a chunk is only ever
// appended to, a carved piece is never written again, and the garbage
// collector keeps a chunk alive while any event refers to it.
const (
	slabFields = 512  // Fields per chunk
	minFields  = 64   // a fresh chunk is taken when fewer are left
	textChunk  = 4096 // bytes per text chunk
	minText    = 64   // a fresh chunk is taken when fewer are left
)

// fieldSlab hands out Fields slices cut from a shared chunk.
type fieldSlab struct{ free []event.Field } // len 0: the chunk's unused tail

// take returns an empty slice to append an event's fields to: own's
// storage when it has some (a reused event), else the chunk's tail.
func (s *fieldSlab) take(own []event.Field) []event.Field {
	if cap(own) > 0 {
		return own[:0]
	}
	if cap(s.free) < minFields {
		s.free = make([]event.Field, 0, slabFields)
	}
	return s.free
}

// keep commits f, returned by appending to take's slice: when it still
// lies in the chunk, the chunk moves past it and f's capacity is cut to
// its length, so that a later append copies instead of overwriting the
// next event's fields.
func (s *fieldSlab) keep(f []event.Field) []event.Field {
	if cap(f) == 0 || cap(f) != cap(s.free) || &f[:1][0] != &s.free[:1][0] {
		return f
	}
	s.free = f[len(f):]
	return f[:len(f):len(f)]
}

// textArena hands out immutable strings cut from a shared chunk.
type textArena struct{ buf []byte }

// start makes room for a short text and returns where it begins; the
// caller appends the text to a.buf and calls since.
func (a *textArena) start() int {
	if cap(a.buf)-len(a.buf) < minText {
		a.buf = make([]byte, 0, textChunk)
	}
	return len(a.buf)
}

// since returns the bytes appended after start as a string. Bytes below
// len(a.buf) are never written again (an append that outgrows the chunk
// moves to a new array), so the string cannot change.
func (a *textArena) since(start int) string {
	if start == len(a.buf) {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}
