package chain

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// streamCheck walks one stream's manifests in tree order, recomputing
// the tree from the stored lines. After a batch found damaged (and
// reported), the tree is reset to what its manifest says, so that one
// damaged batch is one problem, not one per later batch and checkpoint.
type streamCheck struct {
	v     *verifier
	id    streamID
	dir   string // ManifestDir
	cps   []checkpointFact
	want  map[uint64][]int // tree size -> checkpoints at it
	tree  *Tree
	known bool // tree is the tree after the previous manifest

	first      bool
	prevName   string
	prevDigest string
	prevAfter  uint64
	prevKnown  bool // prevAfter was read from a manifest
	pend       boundary
	cov        coverage
	spans      []span
	batches    int
	sums       *summaryCheck // the stream's index summaries (verify_summary.go)
}

// boundary is the tree after a manifest: where checkpoints are checked.
type boundary struct {
	size   uint64
	root   []byte // nil: unknown (manifests missing before it)
	digest string // of the last manifest at this size
}

func (v *verifier) verifyStream(ctx context.Context, id streamID) error {
	s := &streamCheck{v: v, id: id, dir: ManifestDir(id.pipeline, v.opts.Output, id.stream),
		tree: NewTree(), known: true, first: true, want: map[uint64][]int{},
		pend: boundary{root: NewTree().Root()}}
	if err := s.loadCheckpoints(ctx); err != nil {
		return err
	}
	for name, err := range v.st.ListMeta(ctx, s.dir) {
		if err != nil {
			return fmt.Errorf("list %s: %w", s.dir, err)
		}
		if err := s.manifest(ctx, name); err != nil {
			return err
		}
	}
	if err := s.finishSummaries(ctx); err != nil {
		return err
	}
	s.finish()
	return nil
}

// manifest checks one manifest and its batch.
func (s *streamCheck) manifest(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := s.v.st.GetMeta(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		s.v.report.add(KindBadManifest, name, nil, "listed, then gone when read")
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		s.v.report.add(KindBadManifest, name, nil, "unreadable: %v", err)
		s.known, s.prevKnown, s.first = false, false, false
		s.prevName, s.prevDigest = name, Digest(raw)
		return nil
	}
	s.checkHeader(name, m)
	if s.known && s.tree.Size() != m.SizeBefore {
		s.known = false
	}
	if err := s.batch(ctx, name, m); err != nil {
		return err
	}
	s.account(name, m)
	digest := Digest(raw)
	s.prevName, s.prevDigest, s.prevAfter, s.prevKnown, s.first = name, digest, m.SizeAfter, true, false
	s.setBoundary(m.SizeAfter, digest)
	return nil
}

// batch reads m's batch into the tree and judges it.
func (s *streamCheck) batch(ctx context.Context, name string, m *Manifest) error {
	v := s.v
	v.keys.reference(m.Key)
	var t *Tree
	if s.known {
		t = s.tree
	}
	ic, err := s.loadIndex(ctx, m)
	if err != nil {
		return err
	}
	v.index = ic
	b, err := v.readBatch(ctx, m, t)
	v.index = nil
	if err != nil {
		return err
	}
	v.report.Batches++
	v.report.Events += int64(len(b.lines))
	v.report.Bytes += b.size
	s.batches++
	clean := s.judge(name, m, b)
	if clean {
		s.judgeIndex(ic, m)
	}
	if s.known && clean {
		clean = s.checkTree(name, m, b.nodes)
	}
	if !s.known || !clean {
		s.resync(m)
	}
	v.progress()
	return nil
}

// checkHeader checks what a manifest says of itself and of the one
// before it.
func (s *streamCheck) checkHeader(name string, m *Manifest) {
	r, o := s.v.report, s.v.opts.Output
	if want := ManifestName(s.id.pipeline, o, s.id.stream, m.SizeBefore); name != want {
		r.add(KindBadManifest, name, m.Seqs, "its tree_size_before %d belongs under the name %s", m.SizeBefore, want)
	}
	if m.Pipeline != s.id.pipeline || m.Output != o || m.Stream != s.id.stream {
		r.add(KindBadManifest, name, m.Seqs, "says pipeline %q, output %q, stream %q", m.Pipeline, m.Output, m.Stream)
	}
	if why := countsDisagree(m); why != "" {
		r.add(KindBadManifest, name, m.Seqs, "%s", why)
	}
	if s.first {
		if m.Prev != "" || m.SizeBefore != 0 {
			r.add(KindManifestChain, name, m.Seqs, "the stream's first stored manifest starts at tree size %d after "+
				"sha256:%s: the manifests before it are missing", m.SizeBefore, m.Prev)
		}
		return
	}
	var why []string
	if m.Prev != s.prevDigest {
		why = append(why, fmt.Sprintf("its prev is sha256:%s, the manifest before it (%s) has sha256:%s",
			m.Prev, s.prevName, s.prevDigest))
	}
	if s.prevKnown && m.SizeBefore != s.prevAfter {
		why = append(why, fmt.Sprintf("it starts at tree size %d, the manifest before it ends at %d", m.SizeBefore, s.prevAfter))
	}
	if len(why) > 0 {
		r.add(KindManifestChain, name, m.Seqs, "%s: a manifest before it was removed, replaced or inserted",
			strings.Join(why, "; "))
	}
}

// countsDisagree explains a manifest whose counts do not agree.
func countsDisagree(m *Manifest) string {
	n := uint64(0)
	for _, r := range m.Seqs {
		if r[1] < r[0] {
			return fmt.Sprintf("seqs run %d-%d goes backwards", r[0], r[1])
		}
		n += r[1] - r[0] + 1
	}
	if m.SizeAfter < m.SizeBefore || uint64(m.Count) != n || m.SizeAfter-m.SizeBefore != n ||
		uint64(len(m.IDIndex)) != n*IDKeySize || uint64(len(m.LeafIndex)) != n*LeafKeySize {
		return fmt.Sprintf("counts disagree: count %d, %d seqs, tree size %d to %d, id_index %d bytes, leaf_index %d bytes",
			m.Count, n, m.SizeBefore, m.SizeAfter, len(m.IDIndex), len(m.LeafIndex))
	}
	return ""
}

// resync takes the tree after m from m itself, when its frontier yields
// its root; else the tree stays unknown until a manifest gives one.
func (s *streamCheck) resync(m *Manifest) {
	t, err := TreeFromFrontier(m.SizeAfter, m.Frontier)
	if err == nil && string(t.Root()) == string(m.RootAfter) {
		s.tree, s.known = t, true
		return
	}
	s.known = false
}

// account adds m's held and skipped numbers to the stream's coverage.
func (s *streamCheck) account(name string, m *Manifest) {
	add := func(r Run) {
		if o, ok := s.cov.add(r); ok {
			s.v.report.add(KindSeqOverlap, name, []Run{o}, "already held or skipped by an earlier manifest")
		}
	}
	for _, r := range m.Seqs {
		add(r)
	}
	for _, k := range m.Skipped {
		if k.To >= k.From {
			add(Run{k.From, k.To})
		}
	}
	if sp, ok := manifestSpan(m); ok {
		s.spans = append(s.spans, sp)
	}
}

// setBoundary records the tree after a manifest; the checkpoints at the
// previous boundary are checked once the tree has grown past it.
func (s *streamCheck) setBoundary(size uint64, digest string) {
	if size != s.pend.size {
		s.checkAt(s.pend)
	}
	s.pend = boundary{size: size, digest: digest}
	if s.known {
		s.pend.root = s.tree.Root()
	}
}

// finish checks what is left once every manifest was read.
func (s *streamCheck) finish() {
	s.checkAt(s.pend)
	s.unmatchedCheckpoints(s.pend.size)
	r := s.v.report
	for _, g := range s.cov.gaps() {
		name := s.dir
		if sp, ok := nextTo(s.spans, g); ok {
			name = ManifestName(s.id.pipeline, s.v.opts.Output, s.id.stream, sp.sizeBefore)
		}
		r.add(KindSeqGap, name, []Run{g}, "no manifest holds or skips these sequence numbers: events lost")
	}
	if len(s.cps) == 0 && s.batches > 0 {
		s.v.noCheckpoint[s.id.pipeline] = true
		r.add(KindNoCheckpoint, CheckpointDir(s.id.pipeline, s.v.opts.Output, s.id.stream), nil,
			"no checkpoint covers the stream's %d batches", s.batches)
	}
}
