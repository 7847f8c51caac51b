package chain

import "sort"

// coverage is the set of sequence numbers a stream's manifests account
// for (held or skipped), as sorted, disjoint, coalesced runs. Manifests
// mostly arrive in sequence order, so it stays a handful of runs; batches
// of interleaved partitions fill each other's holes.
type coverage struct {
	runs []Run
}

// add merges r and returns the part of it already covered, if any.
func (c *coverage) add(r Run) (overlap Run, overlaps bool) {
	// i: the first run that ends at or after r's start - 1 (may touch r).
	i := sort.Search(len(c.runs), func(i int) bool { return c.runs[i][1]+1 >= r[0] })
	j, merged := i, r
	for ; j < len(c.runs) && c.runs[j][0] <= r[1]+1; j++ {
		cur := c.runs[j]
		if !overlaps && cur[0] <= r[1] && cur[1] >= r[0] {
			overlap, overlaps = Run{max(r[0], cur[0]), min(r[1], cur[1])}, true
		}
		merged = Run{min(merged[0], cur[0]), max(merged[1], cur[1])}
	}
	if i == len(c.runs) {
		c.runs = append(c.runs, merged)
		return overlap, overlaps
	}
	c.runs = append(c.runs[:i], append([]Run{merged}, c.runs[j:]...)...)
	return overlap, overlaps
}

// gaps are the holes between the covered runs.
func (c *coverage) gaps() []Run {
	var g []Run
	for i := 1; i < len(c.runs); i++ {
		g = append(g, Run{c.runs[i-1][1] + 1, c.runs[i][0] - 1})
	}
	return g
}

// span is the lowest and highest sequence numbers one manifest accounts
// for: enough to name the manifest next to a gap.
type span struct {
	lo, hi, sizeBefore uint64
}

// manifestSpan is m's lowest and highest held or skipped number.
func manifestSpan(m *Manifest) (span, bool) {
	s, ok := span{lo: ^uint64(0), sizeBefore: m.SizeBefore}, false
	widen := func(lo, hi uint64) {
		s.lo, s.hi, ok = min(s.lo, lo), max(s.hi, hi), true
	}
	for _, r := range m.Seqs {
		widen(r[0], r[1])
	}
	for _, k := range m.Skipped {
		widen(k.From, k.To)
	}
	return s, ok
}

// nextTo returns the span just after the gap g (holding g[1]+1), else the
// one just before it.
func nextTo(spans []span, g Run) (span, bool) {
	for _, s := range spans {
		if s.lo <= g[1]+1 && g[1]+1 <= s.hi {
			return s, true
		}
	}
	for _, s := range spans {
		if s.lo <= g[0]-1 && g[0]-1 <= s.hi {
			return s, true
		}
	}
	return span{}, false
}
