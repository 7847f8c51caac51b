package chain

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// auditPath is the RFC 6962 inclusion path of leaf index in the tree of
// size leaves. Nodes at NodeLevel and above come from the manifests that
// completed them; lower ones are hashed from their leaves, reading only
// the batches that hold them.
func (p *prover) auditPath(ctx context.Context, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	near, err := p.frontiers(ctx, index, size)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		hashes[i] = p.inFrontiers(near, id)
		switch {
		case hashes[i] != nil:
		case id.Level < NodeLevel:
			hashes[i], err = p.lowNode(ctx, id)
		default:
			hashes[i], err = p.node(ctx, id)
		}
		if err != nil {
			return nil, err
		}
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// frontiers are the manifests whose Frontier holds most of a leaf's
// audit path: the one before the leaf's batch (every sibling left of the
// batch is a compact range node of the tree it ends) and the one the
// checkpoint's tree ends with (the ragged right border).
func (p *prover) frontiers(ctx context.Context, index, size uint64) ([]*Manifest, error) {
	var out []*Manifest
	m, err := p.manifestAt(ctx, index)
	if err != nil {
		return nil, err
	}
	if m.SizeBefore > 0 {
		prev, err := p.manifestAt(ctx, m.SizeBefore-1)
		if err != nil {
			return nil, err
		}
		out = append(out, prev)
	}
	last, err := p.manifestAt(ctx, size-1)
	if err != nil {
		return nil, err
	}
	return append(out, last), nil
}

// inFrontiers is the hash of id when it is a compact range node of one of
// the manifests' trees; nil when not.
func (p *prover) inFrontiers(ms []*Manifest, id compact.NodeID) []byte {
	for _, m := range ms {
		if h := p.frontierNodes(m)[id]; h != nil {
			return h
		}
	}
	return nil
}

// frontierNodes are the nodes of m's Frontier by id, kept for the last
// few manifests asked.
func (p *prover) frontierNodes(m *Manifest) map[compact.NodeID][]byte {
	if n, ok := p.fnodes[m.SizeAfter]; ok {
		return n
	}
	ids := compact.RangeNodes(0, m.SizeAfter, nil)
	n := make(map[compact.NodeID][]byte, len(ids))
	if len(ids) == len(m.Frontier) {
		for i, id := range ids {
			n[id] = m.Frontier[i]
		}
	}
	if len(p.fnodes) >= 64 {
		clear(p.fnodes)
	}
	p.fnodes[m.SizeAfter] = n
	return n
}

// maxLowNodes bounds the low subtree hashes a prover keeps.
const maxLowNodes = 1 << 14

// lowNode is the hash of a subtree below NodeLevel, hashed from its
// leaves once per prover.
func (p *prover) lowNode(ctx context.Context, id compact.NodeID) ([]byte, error) {
	if h, ok := p.low[id]; ok {
		return h, nil
	}
	h, err := p.inFrontier(ctx, id)
	if err == nil && h == nil {
		h, err = p.besideCached(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if h == nil {
		leaves, err := p.leafHashes(ctx, id)
		if err != nil {
			return nil, err
		}
		if h, err = p.subtree(leaves, id); err != nil {
			return nil, err
		}
	}
	if len(p.low) >= maxLowNodes {
		clear(p.low)
	}
	p.low[id] = h
	return h, nil
}

// node returns a recorded node: the manifest whose batch appended the
// node's last leaf holds it.
func (p *prover) node(ctx context.Context, id compact.NodeID) ([]byte, error) {
	_, end := id.Coverage()
	m, err := p.manifestAt(ctx, end-1)
	if err != nil {
		return nil, err
	}
	for _, n := range m.Nodes {
		if n.Level == id.Level && n.Index == id.Index {
			return n.Hash, nil
		}
	}
	return nil, fmt.Errorf("manifest of %s records no node at level %d, index %d", m.BatchID, id.Level, id.Index)
}

// inFrontier finds a low subtree in the Frontier of the manifest of the
// batch holding its last leaf, where it is one of the tree's compact
// range nodes after that batch: so are the right border nodes of a
// checkpoint's tree, and the subtrees a batch ends with. nil when it is
// not there.
func (p *prover) inFrontier(ctx context.Context, id compact.NodeID) ([]byte, error) {
	_, e := id.Coverage()
	m, err := p.manifestAt(ctx, e-1)
	if err != nil {
		return nil, err
	}
	return p.frontierNodes(m)[id], nil
}

// besideCached hashes a low subtree that starts before a batch whose
// leaves the prover holds without reading the batches before it: its
// part before the batch is tiled by the compact range of the tree as the
// previous batch left it (that manifest's Frontier), the rest is leaves.
// It returns nil when no held batch serves (the caller reads leaves).
func (p *prover) besideCached(ctx context.Context, id compact.NodeID) ([]byte, error) {
	b, e := id.Coverage()
	for _, start := range p.batches.starts() {
		if start <= b || start == 0 {
			continue
		}
		prev, err := p.manifestAt(ctx, start-1)
		if err != nil || prev.SizeAfter != start {
			return nil, err
		}
		r, ok := p.frontierPart(prev, b, min(e, start))
		if !ok {
			continue
		}
		for leaf := start; leaf < e; leaf++ {
			h, err := p.leafHash(ctx, leaf)
			if err != nil {
				return nil, err
			}
			if err := r.Append(h, nil); err != nil {
				return nil, err
			}
		}
		if hs := r.Hashes(); len(hs) == 1 {
			return hs[0], nil
		}
	}
	return nil, nil
}

// frontierPart is the compact range [b, end) cut from m's Frontier (the
// range [0, m.SizeAfter)); false when its nodes do not tile [b, end).
func (p *prover) frontierPart(m *Manifest, b, end uint64) (*compact.Range, bool) {
	ids := compact.RangeNodes(0, m.SizeAfter, nil)
	if len(ids) != len(m.Frontier) || !tiles(ids, b, end) {
		return nil, false
	}
	var hashes [][]byte
	for i, id := range ids {
		if nb, ne := id.Coverage(); nb >= b && ne <= end {
			hashes = append(hashes, m.Frontier[i])
		}
	}
	r, err := p.factory().NewRange(b, end, hashes)
	return r, err == nil
}

// factory is the prover's range factory, made once: each has its own
// node hasher and slab.
func (p *prover) factory() *compact.RangeFactory {
	if p.rf == nil {
		p.rf = newFactory()
	}
	return p.rf
}

// tiles reports whether the nodes of ids inside [b, end) cover it.
func tiles(ids []compact.NodeID, b, end uint64) bool {
	var n uint64
	for _, id := range ids {
		if nb, ne := id.Coverage(); nb >= b && ne <= end {
			n += ne - nb
		}
	}
	return n == end-b
}

// leafHash is one leaf's hash, from the batch that holds it.
func (p *prover) leafHash(ctx context.Context, leaf uint64) ([]byte, error) {
	m, err := p.manifestAt(ctx, leaf)
	if err != nil {
		return nil, err
	}
	hashes, err := p.batchHashes(ctx, m)
	if err != nil {
		return nil, err
	}
	if i := leaf - m.SizeBefore; i < uint64(len(hashes)) {
		return hashes[i], nil
	}
	return nil, fmt.Errorf("leaf %d is in no stored batch", leaf)
}

// leafHashes are the hashes of the leaves under id, from the batches
// that hold them (each read once while it stays in the prover's cache).
func (p *prover) leafHashes(ctx context.Context, id compact.NodeID) (map[uint64][]byte, error) {
	out := map[uint64][]byte{}
	b, e := id.Coverage()
	for leaf := b; leaf < e; {
		m, err := p.manifestAt(ctx, leaf)
		if err != nil {
			return nil, err
		}
		hashes, err := p.batchHashes(ctx, m)
		if err != nil {
			return nil, err
		}
		for ; leaf < e && leaf < m.SizeAfter; leaf++ {
			if i := leaf - m.SizeBefore; i < uint64(len(hashes)) {
				out[leaf] = hashes[i]
			}
		}
	}
	return out, nil
}

// batchHashes are the leaf hashes of every line of m's batch.
func (p *prover) batchHashes(ctx context.Context, m *Manifest) ([][]byte, error) {
	if h := p.batches.get(m.SizeBefore); h != nil {
		return h, nil
	}
	hashes := make([][]byte, 0, m.Count)
	err := eachStoredLine(ctx, p.st, m, func(_ int, line []byte) bool {
		hashes = append(hashes, p.leaves.Hash(line))
		return true
	})
	if err != nil {
		return nil, err
	}
	p.batches.put(m.SizeBefore, hashes)
	return hashes, nil
}

// leafCache keeps the leaf hashes of the few batches read last: proofs
// of nearby events share their low subtrees.
type leafCache struct {
	before []uint64
	hashes [][][]byte
}

const leafCacheSize = 8

func (c *leafCache) get(before uint64) [][]byte {
	for i, b := range c.before {
		if b == before {
			return c.hashes[i]
		}
	}
	return nil
}

// starts are the first leaves of the batches held, ascending.
func (c *leafCache) starts() []uint64 {
	return slices.Sorted(slices.Values(c.before))
}

func (c *leafCache) put(before uint64, hashes [][]byte) {
	if c.get(before) != nil {
		return
	}
	if len(c.before) == leafCacheSize {
		c.before, c.hashes = c.before[1:], c.hashes[1:]
	}
	c.before, c.hashes = append(c.before, before), append(c.hashes, hashes)
}

// subtree is the hash of a perfect subtree from its leaves' hashes: the
// root of a tree of just those leaves, as a perfect subtree's hash does
// not depend on where it sits.
func (p *prover) subtree(leaves map[uint64][]byte, id compact.NodeID) ([]byte, error) {
	b, e := id.Coverage()
	r := p.factory().NewEmptyRange(0)
	for i := b; i < e; i++ {
		h, ok := leaves[i]
		if !ok {
			return nil, fmt.Errorf("leaf %d is in no stored batch", i)
		}
		if err := r.Append(h, nil); err != nil {
			return nil, err
		}
	}
	return r.GetRootHash(nil)
}

// index lists the tree sizes the stream's manifests start at.
func (p *prover) index(ctx context.Context) error {
	p.sizes = p.sizes[:0]
	dir := ManifestDir(p.s.pipeline, p.output, p.s.stream)
	for name, err := range p.st.ListMeta(ctx, dir) {
		if err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
		if n, err := strconv.ParseUint(strings.TrimSuffix(path.Base(name), ".json"), 10, 64); err == nil {
			p.sizes = append(p.sizes, n)
		}
	}
	slices.Sort(p.sizes)
	return nil
}

// manifestAt returns the manifest whose batch holds leaf.
func (p *prover) manifestAt(ctx context.Context, leaf uint64) (*Manifest, error) {
	i := sort.Search(len(p.sizes), func(i int) bool { return p.sizes[i] > leaf }) - 1
	if i < 0 {
		return nil, fmt.Errorf("no manifest holds leaf %d", leaf)
	}
	if m, ok := p.manifests[p.sizes[i]]; ok {
		return m, nil
	}
	m, err := p.readManifest(ctx, ManifestName(p.s.pipeline, p.output, p.s.stream, p.sizes[i]))
	if err != nil {
		return nil, err
	}
	if leaf >= m.SizeAfter {
		return nil, fmt.Errorf("no manifest holds leaf %d (the one before it ends at %d)", leaf, m.SizeAfter)
	}
	if len(p.manifests) >= maxManifests {
		clear(p.manifests)
	}
	p.manifests[p.sizes[i]] = m
	return m, nil
}

// maxManifests bounds the manifests a prover keeps.
const maxManifests = 256

var errStopLines = errors.New("stop")

// eachStoredLine calls fn with each line of m's stored batch until fn
// returns false.
func eachStoredLine(ctx context.Context, st outputs.Store, m *Manifest, fn func(i int, line []byte) bool) error {
	return eachLine(ctx, st, outputs.BatchRef{Key: m.Key}, m.Format, m.Compression, fn)
}

// eachLine calls fn with each line of a stored batch until fn returns
// false.
func eachLine(ctx context.Context, st outputs.Store, ref outputs.BatchRef, format, compression string,
	fn func(i int, line []byte) bool) error {
	rc, err := st.Open(ctx, ref)
	if err != nil {
		return fmt.Errorf("open %s: %w", ref.Key, err)
	}
	defer rc.Close()
	dec, err := objectstore.Decompress(rc, compression)
	if err != nil {
		return fmt.Errorf("read %s: %w", ref.Key, err)
	}
	defer dec.Close()
	err = objectstore.EachLine(dec, format, func(i int, line []byte) error {
		if !fn(i, line) {
			return errStopLines
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopLines) {
		return fmt.Errorf("read %s: %w", ref.Key, err)
	}
	return nil
}
