package swar

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestAgainstBytes: Equal and Below never miss a byte, Below never
// flags a word without one, Equal's lowest flag is the first match, and
// Stop is zero exactly when no byte needs a string scan's attention.
func TestAgainstBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte{0, 1, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7f, 0x80, 0xff, ','}
	var b [8]byte
	for range 200000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		w := binary.LittleEndian.Uint64(b[:])
		first, below := -1, false
		for i, c := range b {
			if c == '"' && first < 0 {
				first = i
			}
			below = below || c < 0x20
		}
		m := Equal(w, '"')
		switch {
		case first < 0 && m != 0: // borrows come only from a match below
			t.Fatalf("% x: Equal flagged %x without a quote", b, m)
		case first >= 0 && (m == 0 || bits.TrailingZeros64(m)/8 != first):
			t.Fatalf("% x: Equal %x, first quote at %d", b, m, first)
		}
		safe := !below
		for _, c := range b {
			safe = safe && c < 0x80 && c != '"' && c != '\\'
		}
		if (Stop(w) == 0) != safe {
			t.Fatalf("% x: Stop = %x, want bytes a string scan passes: %v", b, Stop(w), safe)
		}
		if (Below(w, 0x20) != 0) != below {
			t.Fatalf("% x: Below(0x20) = %x, want a byte below: %v", b, Below(w, 0x20), below)
		}
	}
}
