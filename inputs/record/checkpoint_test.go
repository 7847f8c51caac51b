package record

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckpoint(t *testing.T) {
	long := strings.Repeat("x", 20)
	tests := []struct {
		name string
		cfg  Config
		ops  []op
		want []int64 // Checkpoint after each op
		pend []bool  // Pending after each op
	}{{
		name: "json lines and a partial line",
		cfg:  Config{Format: "json"},
		ops:  []op{w("{}\n"), w("{}\n{"), w("}"), w("\n"), w("\n\n"), w("{"), end},
		want: []int64{3, 6, 6, 9, 11, 11, 12},
		pend: []bool{false, false, false, false, false, false, false},
	}, {
		name: "plain record open",
		cfg:  Config{Format: "plain"},
		ops:  []op{w("\n" + ts1 + ",\n"), w("a}\n\n"), w(ts2 + "}\n"), flush, w("b"), w("\n"), end},
		want: []int64{1, 1, 37, 69, 69, 71, 71},
		pend: []bool{true, true, true, false, false, false, false},
	}, {
		name: "partial line after an open record",
		cfg:  Config{Format: "plain"},
		ops:  []op{w(ts1 + "\nab"), flush, w("c\n"), end},
		want: []int64{0, 31, 35, 35},
		pend: []bool{true, false, false, false},
	}, {
		name: "plain entry and the lines cut off it",
		cfg:  Config{Format: "plain"},
		ops:  []op{w(ts1 + "}\n"), w("x\n"), w(ts2 + "}\ny"), end},
		want: []int64{0, 0, 34, 67},
		pend: []bool{true, true, true, false},
	}, {
		name: "long line",
		cfg:  Config{Format: "json", MaxLineBytes: 8},
		ops:  []op{w("{}\n" + long[:5]), w(long[5:]), w(long), w("\n{}\n"), w(long), end},
		want: []int64{3, 3, 3, 47, 47, 67},
		pend: []bool{false, false, false, false, false, false},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(tc.cfg, 0)
			var got []int64
			var pend []bool
			for _, o := range tc.ops {
				run1(f, o)
				got = append(got, f.Checkpoint())
				pend = append(pend, f.Pending())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checkpoints (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.pend, pend); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}

func run1(f *Framer, o op) []Record {
	switch {
	case o.flush:
		return f.Flush(nil)
	case o.end:
		return f.End(nil)
	}
	return f.Write([]byte(o.data), nil)
}
