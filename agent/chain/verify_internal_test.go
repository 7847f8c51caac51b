package chain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvelopeHead(t *testing.T) {
	tests := []struct {
		line string
		id   string
		seq  uint64
		ok   bool
	}{
		{`{"_id":"abc","_seq":42,"_time":"x"}`, "abc", 42, true},
		{`{"_id":"a\u001fb","_seq":7}`, "a\x1fb", 7, true},
		{`{"_id":"q\"x","_seq":1,`, `q"x`, 1, true},
		{`{"_seq":1,"_id":"abc"}`, "", 0, false},
		{`{"_id":"abc","_seq":-1,`, "", 0, false},
		{`{"_id":"abc","_seq":12x`, "", 0, false},
		{`{"_id":"abc`, "", 0, false},
		{`{"_id":"abc","_seq":123456789012345678901,`, "", 0, false},
	}
	for _, tt := range tests {
		id, seq, ok := envelopeHead([]byte(tt.line))
		if string(id) != tt.id || seq != tt.seq || ok != tt.ok {
			t.Errorf("envelopeHead(%s) = %q, %d, %v; want %q, %d, %v", tt.line, id, seq, ok, tt.id, tt.seq, tt.ok)
		}
	}
}

func TestEnvelopeHeadDoesNotAllocate(t *testing.T) {
	line := []byte(`{"_id":"0123456789abcdef","_seq":123456,"_time":"2026-01-01T00:00:00Z"}`)
	if n := testing.AllocsPerRun(100, func() { envelopeHead(line) }); n != 0 {
		t.Errorf("%v allocations per line, want 0", n)
	}
}

func TestCoverage(t *testing.T) {
	var c coverage
	for _, r := range []Run{{1, 5}, {11, 20}, {30, 30}, {6, 8}, {21, 25}} {
		if _, ok := c.add(r); ok {
			t.Fatalf("add %v: overlap reported", r)
		}
	}
	if diff := cmp.Diff([]Run{{9, 10}, {26, 29}}, c.gaps()); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
	if o, ok := c.add(Run{9, 12}); !ok || o != (Run{11, 12}) {
		t.Errorf("add 9-12 over 11-20: overlap %v %v, want 11-12", o, ok)
	}
	if diff := cmp.Diff([]Run{{26, 29}}, c.gaps()); diff != "" {
		t.Errorf("gaps after filling (-want +got):\n%s", diff)
	}
}

func TestDiagnose(t *testing.T) {
	exp := []event{{1, [4]byte{1}}, {2, [4]byte{2}}, {3, [4]byte{3}}, {4, [4]byte{4}}}
	line := func(seq uint64, key byte) lineFact { return lineFact{seq: seq, key: [4]byte{key}, hasSeq: true} }
	tests := []struct {
		name  string
		lines []lineFact
		want  eventDiff
	}{
		{"altered", []lineFact{line(1, 1), line(2, 9), line(3, 3), line(4, 4)}, eventDiff{altered: []uint64{2}}},
		{"seq altered", []lineFact{line(1, 1), line(7, 9), line(3, 3), line(4, 4)}, eventDiff{altered: []uint64{2}}},
		{"removed", []lineFact{line(1, 1), line(3, 3), line(4, 4)}, eventDiff{removed: []uint64{2}}},
		{"inserted", []lineFact{line(1, 1), line(2, 2), line(9, 9), line(3, 3), line(4, 4)}, eventDiff{inserted: []uint64{9}}},
		{"duplicated", []lineFact{line(1, 1), line(2, 2), line(2, 2), line(3, 3), line(4, 4)}, eventDiff{inserted: []uint64{2}}},
		{"no envelope", []lineFact{line(1, 1), line(2, 2), {}, line(3, 3), line(4, 4)}, eventDiff{noSeq: []int{2}}},
		{"reordered", []lineFact{line(1, 1), line(3, 3), line(2, 2), line(4, 4)}, eventDiff{reordered: []uint64{3, 2}}},
		{"replaced", []lineFact{line(8, 8), line(9, 9)}, eventDiff{replaced: true}},
	}
	for _, tt := range tests {
		got := diagnose(exp, tt.lines)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(eventDiff{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
