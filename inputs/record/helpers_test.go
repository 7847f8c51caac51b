package record

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// op is one call on the Framer: a Write of data, a Flush or an End.
type op struct {
	data  string
	flush bool
	end   bool
}

func w(s string) op { return op{data: s} }

var (
	flush = op{flush: true}
	end   = op{end: true}
)

// rec is a Record in a form that reads well in test tables.
type rec struct {
	Raw       string
	Off, End  int64
	Partial   bool
	Truncated bool
	OrigLen   int64
	Orphan    bool
}

func toRecs(rs []Record) []rec {
	out := make([]rec, 0, len(rs))
	for _, r := range rs {
		out = append(out, rec{string(r.Raw), r.Offset, r.End, r.Partial, r.Truncated, r.OriginalLength, r.Orphan})
	}
	return out
}

// splitter cuts the data of one Write into the chunks actually written.
type splitter func(data []byte) [][]byte

func whole(d []byte) [][]byte { return [][]byte{d} }

func bytewise(d []byte) [][]byte {
	out := make([][]byte, len(d))
	for i := range d {
		out[i] = d[i : i+1]
	}
	return out
}

func randomSplit(rng *rand.Rand) splitter {
	return func(d []byte) [][]byte {
		var out [][]byte
		for len(d) > 0 {
			n := 1 + rng.IntN(min(len(d), 1+rng.IntN(64)))
			out = append(out, d[:n])
			d = d[n:]
		}
		return out
	}
}

// chunkings returns every way the tests cut the input; the random seed is
// logged so that a failure can be replayed.
func chunkings(t testing.TB) map[string]splitter {
	seed := uint64(time.Now().UnixNano())
	t.Logf("random split seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	return map[string]splitter{"whole": whole, "bytewise": bytewise, "random": randomSplit(rng)}
}

// run feeds ops to a new Framer, each chunk a fresh copy as a reader would
// hand it over.
func run(cfg Config, off int64, ops []op, split splitter) []Record {
	f := New(cfg, off)
	var out []Record
	for _, o := range ops {
		switch {
		case o.flush:
			out = f.Flush(out)
		case o.end:
			out = f.End(out)
		default:
			for _, c := range split([]byte(o.data)) {
				out = f.Write(bytes.Clone(c), out)
			}
		}
	}
	return out
}

// checkTiling verifies that records come in source order, hold the source
// bytes they claim, and that the gaps between them are blank lines.
func checkTiling(t testing.TB, src []byte, off int64, cfg Config, rs []Record) {
	t.Helper()
	at := off
	for i, r := range rs {
		gap := src[at-off : r.Offset-off]
		if r.Offset < at || !isBlank(bytes.ReplaceAll(gap, []byte("\n"), nil)) {
			t.Fatalf("record %d at %d: gap from %d is %q", i, r.Offset, at, gap)
		}
		if r.End < r.Offset+int64(len(r.Raw)) || r.End > off+int64(len(src)) {
			t.Fatalf("record %d: range [%d,%d) with %d raw bytes", i, r.Offset, r.End, len(r.Raw))
		}
		want := src[r.Offset-off : r.Offset-off+int64(len(r.Raw))]
		if !bytes.Equal(r.Raw, want) {
			t.Fatalf("record %d: raw %q, source has %q", i, r.Raw, want)
		}
		if r.Truncated != (len(r.Raw) == cfg.MaxLineBytes && r.OriginalLength > int64(cfg.MaxLineBytes)) {
			t.Fatalf("record %d: truncated %v with %d of %d bytes", i, r.Truncated, len(r.Raw), r.OriginalLength)
		}
		at = r.End
	}
}
