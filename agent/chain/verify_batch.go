package chain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"

	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// lineFact is what Verify keeps of one stored line while its batch is
// judged: 16 bytes, whatever the line's length.
type lineFact struct {
	seq    uint64
	key    [LeafKeySize]byte
	hasSeq bool // the line starts as an envelope does
	idBad  bool // its _id's key differs from the manifest's IDIndex at its position
}

// batchRead is what reading one batch found.
type batchRead struct {
	missing    bool
	unreadable error // the body does not decode
	sha        string
	size       int64 // stored bytes
	lineBytes  int64 // the lines' bytes, each with its newline
	lines      []lineFact
	nodes      []Node // the nodes >= NodeLevel the lines completed
}

// readBatch streams m's batch: the stored bytes' sha256 and, line by line,
// the leaf hashes (appended to t when it is not nil), _seq and _id. Only a
// store that fails to serve the bytes is an error.
func (v *verifier) readBatch(ctx context.Context, m *Manifest, t *Tree) (batchRead, error) {
	v.lines, v.nodes = v.lines[:0], v.nodes[:0]
	rc, err := v.st.Open(ctx, outputs.BatchRef{Key: m.Key})
	if errors.Is(err, fs.ErrNotExist) {
		return batchRead{missing: true}, nil
	}
	if err != nil {
		return batchRead{}, fmt.Errorf("open %s: %w", m.Key, err)
	}
	defer rc.Close()
	if v.sha == nil {
		v.sha = sha256.New()
	}
	v.sha.Reset()
	v.lineBytes = 0
	src := &storeReader{r: rc, h: v.sha}
	if m.SHA256 == "" {
		src.h = nil // the leaves stand for the bytes: see judge
	}
	derr := v.eachLine(src, m, t)
	if src.err == nil {
		_, _ = io.Copy(io.Discard, src) // the rest of the stored bytes, for their sha256
	}
	if src.err != nil {
		return batchRead{}, fmt.Errorf("read %s: %w", m.Key, src.err)
	}
	sum := ""
	if src.h != nil {
		sum = hex.EncodeToString(v.sha.Sum(v.sum[:0]))
	}
	return batchRead{unreadable: derr, sha: sum, size: src.n,
		lineBytes: v.lineBytes, lines: v.lines, nodes: v.nodes}, nil
}

func (v *verifier) eachLine(r io.Reader, m *Manifest, t *Tree) error {
	dec, err := objectstore.Decompress(r, m.Compression)
	if err != nil {
		return err
	}
	defer dec.Close()
	return objectstore.EachLine(dec, m.Format, func(i int, line []byte) error {
		v.line(i, line, m, t)
		return nil
	})
}

// line hashes one stored line: the hot path, without allocations but
// the leaf hash the tree keeps.
func (v *verifier) line(i int, line []byte, m *Manifest, t *Tree) {
	h := v.leaves.Hash(line)
	v.lineBytes += int64(len(line)) + 1
	f := lineFact{key: [LeafKeySize]byte(h)}
	id, seq, ok := envelopeHead(line)
	f.seq, f.hasSeq = seq, ok
	if at := i * IDKeySize; ok && at+IDKeySize <= len(m.IDIndex) {
		k := IDKey(id)
		f.idBad = !bytes.Equal(k[:], m.IDIndex[at:at+IDKeySize])
	}
	v.lines = append(v.lines, f)
	if v.index != nil {
		v.index.add(line)
	}
	if t != nil {
		t.Append(h, &v.nodes)
	}
}

// storeReader hashes and counts the stored bytes and keeps the store's
// own read error apart from the decoder's.
type storeReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error
}

func (s *storeReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.h != nil {
		s.h.Write(p[:n])
	}
	s.n += int64(n)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// judge reports what is wrong with a batch's lines against its manifest;
// clean means the lines are those the manifest lists, in its order.
func (s *streamCheck) judge(name string, m *Manifest, b batchRead) (clean bool) {
	r := s.v.report
	switch {
	case b.missing:
		r.add(KindMissingBatch, m.Key, m.Seqs, "manifest %s lists it (%d events); it is not in the store", name, m.Count)
		return false
	case b.unreadable != nil:
		r.add(KindUnreadable, m.Key, m.Seqs, "does not decode as %s, %s: %v (manifest %s)",
			m.Format, m.Compression, b.unreadable, name)
		return false
	}
	if !s.v.diffEvents(name, m, b) {
		return false
	}
	s.judgeBytes(name, m, b)
	if bad := badIDs(b.lines); len(bad) > 0 {
		r.add(KindBadManifest, name, toRuns(bad), "id_index does not match these events' _id: prove cannot find them")
	}
	return true
}

func badIDs(lines []lineFact) []uint64 {
	var bad []uint64
	for _, l := range lines {
		if l.idBad {
			bad = append(bad, l.seq)
		}
	}
	return bad
}

// checkTree compares the tree recomputed through m's batch with what m
// says of it. false: the tree before the batch is not the one m was
// built on.
func (s *streamCheck) checkTree(name string, m *Manifest, nodes []Node) bool {
	r := s.v.report
	if root := s.tree.Root(); !bytes.Equal(root, m.RootAfter) {
		r.add(KindTreeMismatch, name, m.Seqs, "the tree recomputed from the stored events has root %x at size %d, "+
			"the manifest says %x: the events before this batch are not those it was built on", root, m.SizeAfter, m.RootAfter)
		return false
	}
	if !hashesEqual(s.tree.Frontier(), m.Frontier) {
		r.add(KindTreeMismatch, name, m.Seqs, "its frontier is not the recomputed tree's (its root is)")
	}
	if !nodesEqual(nodes, m.Nodes) {
		r.add(KindTreeMismatch, name, m.Seqs, "its nodes are not the subtrees its batch completed: proofs through them fail")
	}
	return true
}

func hashesEqual(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func nodesEqual(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Level != b[i].Level || a[i].Index != b[i].Index || !bytes.Equal(a[i].Hash, b[i].Hash) {
			return false
		}
	}
	return true
}

// judgeBytes checks the stored bytes beyond the events: their sha256, or,
// for a manifest without one (an uncompressed ndjson body whose leaves
// stand for it), that the body is exactly its lines, each ending in a
// newline: no byte more.
func (s *streamCheck) judgeBytes(name string, m *Manifest, b batchRead) {
	r := s.v.report
	switch {
	case m.SHA256 != "" && b.sha != m.SHA256:
		r.add(KindSHA256, m.Key, nil, "stored bytes have sha256 %s, manifest %s says %s (its events are intact)",
			b.sha, name, m.SHA256)
	case m.SHA256 == "" && (m.Format != "ndjson" || m.Compression != "none"):
		r.add(KindBadManifest, name, m.Seqs, "no sha256 for a %s/%s body: only an uncompressed ndjson body may go without", m.Format, m.Compression)
	case m.SHA256 == "" && b.size != b.lineBytes:
		r.add(KindSHA256, m.Key, nil, "stored body is %d bytes, its lines with their newlines %d: bytes added between or after them (manifest %s)",
			b.size, b.lineBytes, name)
	}
}
