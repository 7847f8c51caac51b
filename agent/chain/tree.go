// Package chain is the transparency log of what a store output stored
// (SPEC §6): an RFC 6962 Merkle tree over the stored envelope lines, one
// manifest per batch chained by hash, signed checkpoints, verification and
// inclusion proofs. It reads and writes stores only through the outputs
// package's Store and MetaStore interfaces.
package chain

import (
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// NodeLevel is the lowest tree level whose perfect subtree hashes a
// manifest records (the subtrees completed by its batch): an inclusion
// proof then reads at most the 2^NodeLevel leaves around its event, never
// the whole archive.
const NodeLevel = 10

// nodeHasher is RFC 6962's interior node hash, SHA-256(0x01 ‖ left ‖
// right), assembled in a reused buffer: the library's HashChildren builds
// a new hash state per call, and a tree merges about once per leaf. The
// result is the one allocation: the range keeps it.
type nodeHasher struct {
	buf  []byte
	slab []byte // node hashes are cut from it: one allocation per 1024 nodes, not per node
}

func (n *nodeHasher) children(left, right []byte) []byte {
	n.buf = append(append(append(n.buf[:0], rfc6962.RFC6962NodeHashPrefix), left...), right...)
	sum := sha256.Sum256(n.buf)
	if len(n.slab) < sha256.Size {
		n.slab = make([]byte, 1024*sha256.Size)
	}
	out := n.slab[:sha256.Size:sha256.Size]
	n.slab = n.slab[sha256.Size:]
	copy(out, sum[:])
	return out
}

// newFactory returns a range factory with its own node hasher: ranges
// are used by one goroutine each.
func newFactory() *compact.RangeFactory {
	return &compact.RangeFactory{Hash: (&nodeHasher{}).children}
}

// Node is one perfect subtree's hash, at Level over the leaves
// [Index<<Level, (Index+1)<<Level).
type Node struct {
	Level uint   `json:"level"`
	Index uint64 `json:"index"`
	Hash  []byte `json:"hash"`
}

// Tree is an append-only RFC 6962 tree, kept as the compact range of its
// leaves [0, size): at most log2(size) hashes.
type Tree struct {
	r *compact.Range
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{r: newFactory().NewEmptyRange(0)} }

// TreeFromFrontier rebuilds a tree of size leaves from its compact range
// (Frontier of the manifest or state that recorded it).
func TreeFromFrontier(size uint64, frontier [][]byte) (*Tree, error) {
	r, err := newFactory().NewRange(0, size, frontier)
	if err != nil {
		return nil, fmt.Errorf("tree of size %d: %w", size, err)
	}
	return &Tree{r: r}, nil
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Frontier is the compact range's hashes, left to right.
func (t *Tree) Frontier() [][]byte { return t.r.Hashes() }

// Root is the RFC 6962 root hash; the empty tree's is SHA-256("").
func (t *Tree) Root() []byte {
	if t.r.End() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	root, _ := t.r.GetRootHash(nil) // cannot fail: the range starts at 0
	return root
}

// Clone returns an independent copy.
func (t *Tree) Clone() *Tree {
	c, _ := newFactory().NewRange(0, t.r.End(), append([][]byte(nil), t.r.Hashes()...))
	return &Tree{r: c}
}

// Append adds one leaf hash; perfect subtrees it completes at NodeLevel
// or above are appended to *nodes when nodes is not nil.
func (t *Tree) Append(leafHash []byte, nodes *[]Node) {
	var visit compact.VisitFn
	if nodes != nil {
		visit = func(id compact.NodeID, h []byte) {
			if id.Level >= NodeLevel {
				*nodes = append(*nodes, Node{Level: id.Level, Index: id.Index, Hash: h})
			}
		}
	}
	_ = t.r.Append(leafHash, visit) // cannot fail: a range from 0 accepts any leaf
}

// LeafHasher computes RFC 6962 leaf hashes, SHA-256(0x00 ‖ line): the
// same bytes as rfc6962's HashLeaf, with the prefixed line assembled in a
// reused buffer so that hashing allocates nothing (a hash.Hash's Sum
// does, through its interface).
type LeafHasher struct {
	buf []byte
}

// Hash returns the leaf hash of line (the envelope without its newline).
func (l *LeafHasher) Hash(line []byte) []byte {
	return l.AppendHash(make([]byte, 0, sha256.Size), line)
}

// AppendHash appends the leaf hash of line to dst.
func (l *LeafHasher) AppendHash(dst, line []byte) []byte {
	l.buf = append(append(l.buf[:0], rfc6962.RFC6962LeafHashPrefix), line...)
	sum := sha256.Sum256(l.buf)
	return append(dst, sum[:]...)
}
