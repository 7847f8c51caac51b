package chain

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"

	"github.com/auditship/auditship/agent/index"
)

// summaryCheck is what verify keeps of a stream's index summaries (kind
// index): a column entry must say what its batch's index record says, and
// name a batch of the stream, or Select would skip a batch it should read.
// Segments are read as the manifests reach them, so a stream's entries
// are not all held at once.
type summaryCheck struct {
	segs    []*segment              // not read yet, by first tree size
	pending map[uint64][]summaryRef // tree size -> the entries naming it
}

// summaryRef is one entry of a column read.
type summaryRef struct {
	name string // the column's name
	col  *index.Summary
	e    *index.SummaryEntry
}

// summaryEntries returns the column entries that name m's batch, reading
// the segments that start at or before it, and reports the entries of
// tree sizes passed over: no manifest of the stream starts there.
func (s *streamCheck) summaryEntries(ctx context.Context, m *Manifest) ([]summaryRef, error) {
	if s.sums == nil {
		segs, err := listSegments(ctx, s.v.st, SummaryDir(s.id.pipeline, s.v.opts.Output, s.id.stream))
		if err != nil {
			return nil, err
		}
		s.sums = &summaryCheck{segs: segs, pending: map[uint64][]summaryRef{}}
	}
	c := s.sums
	for len(c.segs) > 0 && c.segs[0].first <= m.SizeBefore {
		if err := s.readSegment(ctx, c.segs[0]); err != nil {
			return nil, err
		}
		c.segs = c.segs[1:]
	}
	s.passed(m.SizeBefore)
	refs := c.pending[m.SizeBefore]
	delete(c.pending, m.SizeBefore)
	return refs, nil
}

// readSegment reads every column of one segment into pending.
func (s *streamCheck) readSegment(ctx context.Context, g *segment) error {
	r := s.v.report
	for name := range g.columns() {
		raw, err := s.v.st.GetMeta(ctx, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // listed, then gone: it rules nothing out
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		r.Bytes += int64(len(raw))
		col, err := index.ParseSummary(raw)
		if err != nil {
			r.add(KindIndex, name, nil, "index summary unreadable: %v", err)
			continue
		}
		if want := SummaryName(s.id.pipeline, s.v.opts.Output, s.id.stream, g.first, g.last, col, isGzip(raw)); want != name {
			r.add(KindIndex, name, nil, "index summary holds the column %s", want)
		}
		for i := range col.Batches {
			e := &col.Batches[i]
			if e.SizeBefore < g.first || e.SizeBefore > g.last {
				r.add(KindIndex, name, nil, "index summary names the batch at tree size %d, outside its segment %d-%d",
					e.SizeBefore, g.first, g.last)
				continue
			}
			s.sums.pending[e.SizeBefore] = append(s.sums.pending[e.SizeBefore], summaryRef{name: name, col: col, e: e})
		}
	}
	return nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// noSuchBatch reports column entries naming a tree size at which no
// batch of the stream starts.
func (s *streamCheck) noSuchBatch(size uint64, refs []summaryRef) {
	for _, ref := range refs {
		s.v.report.add(KindIndex, ref.name, nil,
			"index summary names a batch at tree size %d, which the stream does not have", size)
	}
}

// checkSummary compares the column entries naming m's batch with its
// index record (nil: the batch has none, so no summary may name it).
func (s *streamCheck) checkSummary(refs []summaryRef, rec *index.Record, m *Manifest) {
	for _, ref := range refs {
		if rec == nil {
			s.v.report.add(KindIndex, ref.name, m.Seqs, "index summary names %s, which has no index record", m.Key)
			continue
		}
		if why := ref.col.Disagrees(ref.e, rec); why != "" {
			s.v.report.add(KindIndex, ref.name, m.Seqs, "index summary disagrees with the index record of %s: %s", m.Key, why)
		}
	}
}

// finishSummaries reports the entries no manifest of the stream reached.
func (s *streamCheck) finishSummaries(ctx context.Context) error {
	c := s.sums
	if c == nil {
		return nil
	}
	for _, g := range c.segs {
		if err := s.readSegment(ctx, g); err != nil {
			return err
		}
	}
	c.segs = nil
	s.passed(math.MaxUint64)
	return nil
}

// passed reports, in tree order, the pending entries of tree sizes below
// size: no manifest of the stream starts there.
func (s *streamCheck) passed(size uint64) {
	var sizes []uint64
	for at := range s.sums.pending {
		if at < size {
			sizes = append(sizes, at)
		}
	}
	slices.Sort(sizes)
	for _, at := range sizes {
		s.noSuchBatch(at, s.sums.pending[at])
		delete(s.sums.pending, at)
	}
}
