package format

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
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

// TestSplitSearchesOnceWithoutNesting: an entry in no known key order
// costs one failed search when none of its candidates is nested (the
// depth rule then excludes nothing, so a second search would repeat the
// first), two when one is; the greedy split is the same either way.
func TestSplitSearchesOnceWithoutNesting(t *testing.T) {
	const head = "{timestamp=2026-11-25T10:00:00.000Z, nodeName=Approve, workflowDefinitionId=onboarding, "
	cases := []struct {
		name, entry string
		passes      int
	}{
		{"flat", head + "variables={amount=1, status=NEW}}", 1},
		{"nested", head + "variables={amount=1, workflowInstanceId=7}}", 2},
	}
	want := []string{"timestamp", "nodeName", "workflowDefinitionId", "variables"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(Options{Format: "plain"})
			e := new(event.Event)
			d.Decode(e, []byte(tc.entry), event.Source{}, []byte("s"), Flags{}, ingest)
			if d.plain.passes != tc.passes {
				t.Errorf("searches = %d, want %d", d.plain.passes, tc.passes)
			}
			var keys []string
			for _, f := range e.Fields {
				keys = append(keys, string(f.Key))
			}
			if !cmp.Equal(keys, want) {
				t.Errorf("keys = %q, want %q", keys, want)
			}
		})
	}
}
