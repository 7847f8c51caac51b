package buffer

import (
	"errors"
	"testing"
)

func TestApplyMarksOpening(t *testing.T) {
	entry := appendMarkEntry([]byte{marksDelta, 1}, "k", []byte("v"))
	tests := []struct {
		name string
		b    []byte
		rest int64
		err  error
	}{
		{"older version delta", entry, -1, nil},
		{"older version snapshot", []byte{marksSnapshot, 0}, -1, nil},
		{"opening", []byte{marksDelta, 0, 0x80, 0x02}, 256, nil},
		{"opening with entries", append(entry, 7), 7, nil},
		{"trailer bytes after the size", []byte{marksDelta, 0, 5, 1}, -1, errMarks},
		{"unterminated size", []byte{marksDelta, 0, 0x80}, -1, errMarks},
		{"bad flag", []byte{2, 0}, -1, errMarks},
	}
	for _, tt := range tests {
		rest, err := applyMarks(map[string][]byte{}, tt.b)
		if rest != tt.rest || !errors.Is(err, tt.err) {
			t.Errorf("%s: rest %d, err %v; want %d, %v", tt.name, rest, err, tt.rest, tt.err)
		}
	}
}

// TestEveryWriteOpensWithItsSize: a write of records and marks, and one of
// records only, each start with a marks record giving the bytes after it.
func TestEveryWriteOpensWithItsSize(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	l.SetMark("k", []byte("v"))
	appendN(t, l, 3, 50)
	mid := l.activeSize
	appendN(t, l, 2, 70)
	for _, w := range []struct{ start, end int64 }{{0, mid}, {mid, l.activeSize}} {
		b := make([]byte, w.end-w.start)
		if _, err := l.active.ReadAt(b, w.start); err != nil {
			t.Fatal(err)
		}
		h, ok := parseHeader(b, 1<<20)
		if !ok || h.kind != KindMarks {
			t.Fatalf("write at %d opens with kind %d", w.start, h.kind)
		}
		n := frameBytes(int(h.length))
		rest, err := applyMarks(map[string][]byte{}, b[headerSize:n])
		if err != nil || n+rest != w.end-w.start {
			t.Fatalf("write at %d: opening says %d more bytes (%v), the write has %d", w.start, rest, err, w.end-w.start-n)
		}
	}
}
