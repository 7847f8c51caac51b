package record

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFraming(t *testing.T) {
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			splits := chunkings(t)
			for p := range 120 {
				splits[fmt.Sprintf("cut at %d", p)] = cutAt(p)
			}
			for name, split := range splits {
				got := run(tc.cfg, tc.off, tc.ops, split)
				if diff := cmp.Diff(tc.want, toRecs(got)); diff != "" {
					t.Errorf("%s chunks: records (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

// cutAt splits every write in two at p (an empty first chunk for 0).
func cutAt(p int) splitter {
	return func(d []byte) [][]byte {
		p := min(p, len(d))
		return [][]byte{d[:p], d[p:]}
	}
}

func TestDefaults(t *testing.T) {
	f := New(Config{MaxLineBytes: -1}, 0)
	want := Config{MaxLineBytes: mib, MaxLines: 1000, MaxBytes: mib}
	if diff := cmp.Diff(want, f.cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if !f.auto || f.json {
		t.Errorf("empty format: auto %v json %v, want auto", f.auto, f.json)
	}
}
