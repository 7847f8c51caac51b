package format

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestStructural: the word test never misses a brace, bracket or comma,
// whatever the bytes around it (multi-byte UTF-8, zero bytes, the bytes
// one bit away from the wanted ones).
func TestStructural(t *testing.T) {
	alphabet := []byte("{}[],;+-=0 aZ\x00\x01\x0c\x5b\x5d\x7b\x7d\x3b\x3d\x80\xd0\xff")
	rng := rand.New(rand.NewPCG(1, 2))
	var w [8]byte
	for range 200000 {
		want := false
		for i := range w {
			w[i] = alphabet[rng.IntN(len(alphabet))]
			switch w[i] {
			case '{', '}', '[', ']', ',':
				want = true
			}
		}
		if want && structural(binary.LittleEndian.Uint64(w[:])) == 0 {
			t.Fatalf("%q: a structural byte was missed", w)
		}
	}
}
