// Package swar holds the word-at-a-time byte tests (SIMD within a
// register) that the scanners of the hot path share: eight bytes per
// test where most words hold nothing of interest. Written by hand: the
// standard library offers IndexByte for one byte value, not these
// sets of values, and its setup costs more than it saves on the short
// strings of an audit entry.
package swar

// Lo and Hi repeat 0x01 and 0x80 in each byte; Lo*c repeats byte c.
const (
	Lo = 0x0101010101010101
	Hi = 0x8080808080808080
)

// Zero flags (0x80) the zero bytes of x: never zero when one is there;
// its lowest flag is exact, flags above it may be borrows.
func Zero(x uint64) uint64 { return (x - Lo) &^ x & Hi }

// Equal flags the bytes of w equal to c, as Zero does.
func Equal(w uint64, c byte) uint64 { return Zero(w ^ Lo*uint64(c)) }

// Below is non-zero when some byte of w is below n (n <= 128), and zero
// when none is.
func Below(w uint64, n byte) uint64 { return (w - Lo*uint64(n)) &^ w & Hi }

// Stop flags the bytes of w that a JSON string scan must look at: a
// quote, a backslash, a control character or a non-ASCII byte. Its lowest
// flag is exact; zero means the eight bytes are written as they are.
func Stop(w uint64) uint64 {
	return Equal(w, '"') | Equal(w, '\\') | Below(w, 0x20) | w&Hi
}
