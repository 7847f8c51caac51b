package record

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzFramer checks, for any input and limits, that framing never panics,
// that the records tile the input, and that the chunking does not matter.
func FuzzFramer(f *testing.F) {
	for _, name := range []string{"plain.log", "json.log", "malformed.log"} {
		src := readFile(f, name)
		f.Add(src[:min(len(src), 4096)], uint8(2), uint16(512), uint8(20), uint16(300), uint64(1))
	}
	f.Add([]byte(ts1+",\n\n x}\r\n{\"a\"}\nrest"), uint8(0), uint16(8), uint8(2), uint16(40), uint64(7))
	f.Add([]byte(ts1+"}\ngarbage\n\n"+ts2+", v={a}\nb} \r\nx\n"), uint8(1), uint16(64), uint8(5), uint16(200), uint64(40))
	f.Fuzz(func(t *testing.T, data []byte, format uint8, maxLine uint16, maxLines uint8, maxBytes uint16, seed uint64) {
		cfg := Config{
			Format:       []string{"json", "plain", "auto"}[format%3],
			MaxLineBytes: 1 + int(maxLine%1024),
			MaxLines:     1 + int(maxLines%32),
			MaxBytes:     1 + int(maxBytes%2048),
		}
		at := int(seed % uint64(len(data)+1))
		ops := []op{w(string(data[:at])), flush, w(string(data[at:])), end}
		want := run(cfg, 5, ops, whole)
		checkTiling(t, data, 5, cfg, want)
		if last := lastEnd(want, 5); !isBlank(bytes.ReplaceAll(data[last-5:], []byte("\n"), nil)) {
			t.Fatalf("bytes after %d not emitted: %q", last, data[last-5:])
		}
		rng := rand.New(rand.NewPCG(seed, 2))
		for name, split := range map[string]splitter{"bytewise": bytewise, "random": randomSplit(rng)} {
			if diff := cmp.Diff(toRecs(want), toRecs(run(cfg, 5, ops, split))); diff != "" {
				t.Fatalf("%s chunks differ from one chunk (-whole +%s):\n%s", name, name, diff)
			}
		}
	})
}

func lastEnd(rs []Record, off int64) int64 {
	if len(rs) == 0 {
		return off
	}
	return rs[len(rs)-1].End
}
