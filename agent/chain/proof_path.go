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
func (p *prover) auditPath(ctx context.Context, s streamID, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(nodes.IDs))
	var low []compact.NodeID
	for i, id := range nodes.IDs {
		if id.Level < NodeLevel {
			low = append(low, id)
			continue
		}
		if hashes[i], err = p.node(ctx, s, id); err != nil {
			return nil, err
		}
	}
	leaves, err := p.leafHashes(ctx, s, low)
	if err != nil {
		return nil, err
	}
	for i, id := range nodes.IDs {
		if id.Level < NodeLevel {
			if hashes[i], err = subtree(leaves, id); err != nil {
				return nil, err
			}
		}
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// node returns a recorded node: the manifest whose batch appended the
// node's last leaf holds it.
func (p *prover) node(ctx context.Context, s streamID, id compact.NodeID) ([]byte, error) {
	_, end := id.Coverage()
	m, err := p.manifestAt(ctx, s, end-1)
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

// leafHashes hashes the leaves under the given nodes, reading each batch
// that holds some of them once.
func (p *prover) leafHashes(ctx context.Context, s streamID, ids []compact.NodeID) (map[uint64][]byte, error) {
	want := func(leaf uint64) bool {
		for _, id := range ids {
			if b, e := id.Coverage(); b <= leaf && leaf < e {
				return true
			}
		}
		return false
	}
	var batches []*Manifest
	for _, id := range ids {
		b, e := id.Coverage()
		for leaf := b; leaf < e; {
			m, err := p.manifestAt(ctx, s, leaf)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(batches, m) {
				batches = append(batches, m)
			}
			leaf = m.SizeAfter
		}
	}
	out := map[uint64][]byte{}
	for _, m := range batches {
		err := eachStoredLine(ctx, p.st, m, func(i int, line []byte) bool {
			if leaf := m.SizeBefore + uint64(i); want(leaf) {
				out[leaf] = p.leaves.Hash(line)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// subtree is the hash of a perfect subtree from its leaves' hashes: the
// root of a tree of just those leaves, as a perfect subtree's hash does
// not depend on where it sits.
func subtree(leaves map[uint64][]byte, id compact.NodeID) ([]byte, error) {
	b, e := id.Coverage()
	r := newFactory().NewEmptyRange(0)
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
func (p *prover) index(ctx context.Context, s streamID) error {
	p.sizes = p.sizes[:0]
	dir := ManifestDir(s.pipeline, p.output, s.stream)
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
func (p *prover) manifestAt(ctx context.Context, s streamID, leaf uint64) (*Manifest, error) {
	i := sort.Search(len(p.sizes), func(i int) bool { return p.sizes[i] > leaf }) - 1
	if i < 0 {
		return nil, fmt.Errorf("no manifest holds leaf %d", leaf)
	}
	if m, ok := p.manifests[p.sizes[i]]; ok {
		return m, nil
	}
	m, err := p.readManifest(ctx, ManifestName(s.pipeline, p.output, s.stream, p.sizes[i]))
	if err != nil {
		return nil, err
	}
	if leaf >= m.SizeAfter {
		return nil, fmt.Errorf("no manifest holds leaf %d (the one before it ends at %d)", leaf, m.SizeAfter)
	}
	if p.manifests == nil {
		p.manifests = map[uint64]*Manifest{}
	}
	p.manifests[p.sizes[i]] = m
	return m, nil
}

var errStopLines = errors.New("stop")

// eachStoredLine calls fn with each line of m's stored batch until fn
// returns false.
func eachStoredLine(ctx context.Context, st outputs.Store, m *Manifest, fn func(i int, line []byte) bool) error {
	rc, err := st.Open(ctx, outputs.BatchRef{Key: m.Key})
	if err != nil {
		return fmt.Errorf("open %s: %w", m.Key, err)
	}
	defer rc.Close()
	dec, err := objectstore.Decompress(rc, m.Compression)
	if err != nil {
		return fmt.Errorf("read %s: %w", m.Key, err)
	}
	defer dec.Close()
	err = objectstore.EachLine(dec, m.Format, func(i int, line []byte) error {
		if !fn(i, line) {
			return errStopLines
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopLines) {
		return fmt.Errorf("read %s: %w", m.Key, err)
	}
	return nil
}
