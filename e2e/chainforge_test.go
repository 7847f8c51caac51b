package e2e

import (
	"encoding/json"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
)

// reseal is what a forger computes for a batch whose lines changed: old's
// manifest with the held sequence numbers, indexes, nodes, tree and
// sha256 of the new lines, appended to t (the tree before the batch).
// Everything else (prev, skips, sources, epoch) is kept.
func reseal(t *testing.T, tree *chain.Tree, old *chain.Manifest, lines [][]byte, sha string) *chain.Manifest {
	t.Helper()
	m := *old
	m.Seqs, m.IDIndex, m.LeafIndex, m.Nodes, m.Count, m.SHA256 = nil, nil, nil, nil, 0, sha
	m.SizeBefore = tree.Size()
	var lh chain.LeafHasher
	for _, l := range lines {
		var env struct {
			ID  string `json:"_id"`
			Seq uint64 `json:"_seq"`
		}
		if err := json.Unmarshal(l, &env); err != nil {
			t.Fatalf("line %.80q: %v", l, err)
		}
		h := lh.Hash(l)
		tree.Append(h, &m.Nodes)
		if n := len(m.Seqs); n > 0 && m.Seqs[n-1][1]+1 == env.Seq {
			m.Seqs[n-1][1] = env.Seq
		} else {
			m.Seqs = append(m.Seqs, chain.Run{env.Seq, env.Seq})
		}
		k := chain.IDKey([]byte(env.ID))
		m.IDIndex = append(m.IDIndex, k[:]...)
		m.LeafIndex = append(m.LeafIndex, h[:chain.LeafKeySize]...)
		m.Count++
	}
	m.SizeAfter, m.RootAfter, m.Frontier = tree.Size(), tree.Root(), tree.Frontier()
	return &m
}

// forgeBatch rewrites batch i's lines with edit and stores a manifest
// recomputed to match them, on the tree of the manifest before it and
// with its prev kept: a forger who cannot rewrite what came after.
func forgeBatch(t *testing.T, a chainArchive, st chainState, i int, edit func([][]byte) [][]byte) {
	t.Helper()
	nm := st.manifests[i]
	tree := chain.NewTree()
	if i > 0 {
		prev := st.manifests[i-1].m
		var err error
		if tree, err = chain.TreeFromFrontier(prev.SizeAfter, prev.Frontier); err != nil {
			t.Fatal(err)
		}
	}
	lines := edit(a.lines(t, nm.m.Key))
	sha := a.setLines(t, nm.m.Key, lines)
	m := reseal(t, tree, nm.m, lines, sha)
	reindex(t, a, m, lines)
	a.putMeta(t, nm.name, m.Marshal())
}

// rewriteHistory rewrites the whole chain as someone with write access and
// a key of their own would: one byte of one event of a middle batch
// altered, every manifest recomputed from the stored lines and chained
// anew, every checkpoint recomputed at its size and chained anew, signed
// with signer. Names, times and everything else are kept.
func rewriteHistory(t *testing.T, a chainArchive, st chainState, signer note.Signer) {
	t.Helper()
	type head struct {
		root     []byte
		manifest string
	}
	tree := chain.NewTree()
	heads := map[uint64]head{0: {root: tree.Root()}}
	mid, prev := st.middle(t), ""
	for i, nm := range st.manifests {
		lines, sha := a.lines(t, nm.m.Key), nm.m.SHA256
		if i == mid {
			lines[len(lines)/2] = alterByte(t, lines[len(lines)/2])
			sha = a.setLines(t, nm.m.Key, lines)
		}
		m := reseal(t, tree, nm.m, lines, sha)
		reindex(t, a, m, lines)
		m.Prev = prev
		raw := m.Marshal()
		a.putMeta(t, nm.name, raw)
		prev = chain.Digest(raw)
		heads[m.SizeAfter] = head{root: tree.Root(), manifest: prev}
	}
	prevCP := ""
	for _, nc := range st.checkpoints {
		c := nc.c
		h, ok := heads[c.Size]
		if !ok {
			t.Fatalf("checkpoint %s at tree size %d, no batch boundary", nc.name, c.Size)
		}
		c.Root, c.Manifest = h.root, h.manifest
		if c.Prev != "" {
			c.Prev = prevCP
		}
		raw, err := c.Sign(signer)
		if err != nil {
			t.Fatal(err)
		}
		a.putMeta(t, nc.name, raw)
		prevCP = chain.Digest(raw)
	}
}

// identity is the identity field of an envelope line, "" when it has none.
func identity(line []byte) string {
	var env struct {
		Identity string `json:"identity"`
	}
	_ = json.Unmarshal(line, &env)
	return env.Identity
}
