package chain

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// mth is RFC 6962's Merkle Tree Hash, written from the RFC's definition as
// the reference the compact-range tree must agree with.
func mth(leaves [][]byte) []byte {
	h := rfc6962.DefaultHasher
	switch len(leaves) {
	case 0:
		return h.EmptyRoot()
	case 1:
		return h.HashLeaf(leaves[0])
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return h.HashChildren(mth(leaves[:k]), mth(leaves[k:]))
}

func TestTreeMatchesRFC6962(t *testing.T) {
	var lines [][]byte
	tree, lh := NewTree(), LeafHasher{}
	for n := 1; n <= 70; n++ {
		line := fmt.Appendf(nil, `{"_id":"%d"}`, n)
		lines = append(lines, line)
		if !bytes.Equal(lh.Hash(line), rfc6962.DefaultHasher.HashLeaf(line)) {
			t.Fatal("leaf hash differs from rfc6962's")
		}
		tree.Append(lh.Hash(line), nil)
		if !bytes.Equal(tree.Root(), mth(lines)) {
			t.Fatalf("root of %d leaves differs from the RFC's MTH", n)
		}
		again, err := TreeFromFrontier(tree.Size(), tree.Frontier())
		if err != nil || !bytes.Equal(again.Root(), tree.Root()) {
			t.Fatalf("a tree rebuilt from its frontier at %d differs: %v", n, err)
		}
	}
}

func TestTreeRecordsHighNodes(t *testing.T) {
	tree, lh := NewTree(), LeafHasher{}
	var lines [][]byte
	var nodes []Node
	for i := range 3 << NodeLevel {
		line := fmt.Appendf(nil, "%d", i)
		lines = append(lines, line)
		tree.Append(lh.Hash(line), &nodes)
	}
	// Level 10: three subtrees of 1024; level 11: one of 2048.
	if len(nodes) != 4 {
		t.Fatalf("%d nodes, want 4", len(nodes))
	}
	for _, n := range nodes {
		lo, hi := n.Index<<n.Level, (n.Index+1)<<n.Level
		if !bytes.Equal(n.Hash, mth(lines[lo:hi])) {
			t.Errorf("node %d/%d is not the hash of leaves %d..%d", n.Level, n.Index, lo, hi)
		}
	}
}

func sealTest(t *testing.T, l *Log, first uint64, lines ...string) []byte {
	t.Helper()
	var lv Leaves
	var seqs []Run
	for i, s := range lines {
		lv.Add([]byte(s), []byte(s), []byte("in"), []byte("src"), int64(i), int64(i+1))
		seqs = appendRun(seqs, first+uint64(i))
	}
	return l.Seal(Batch{ID: fmt.Sprint(first), Format: "ndjson", Compression: "none", First: first,
		Last: first + uint64(len(lines)) - 1, Count: len(lines), Seqs: seqs}, &lv)
}

func TestLogCommitIsIdempotentAndOrdered(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLog(dir, "p", "o", "s")
	if err != nil {
		t.Fatal(err)
	}
	m1 := sealTest(t, l, 1, "a", "b")
	m2early := sealTest(t, l, 3, "c")
	if err := l.Commit(m1); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(m1); err != nil || l.Size() != 2 {
		t.Fatalf("committing again: size %d, %v", l.Size(), err)
	}
	if err := l.Commit(m2early); err == nil {
		t.Fatal("a manifest sealed before the last commit was accepted")
	}
	// A commit is stored with the next Save (the sender's cursor save);
	// till then the journal's done lines stand for it (CatchUp).
	unsaved, err := OpenLog(dir, "p", "o", "s")
	if err != nil || unsaved.Size() != 0 {
		t.Fatalf("reopened before a save: size %d, %v; want 0", unsaved.Size(), err)
	}
	if err := l.Save(0); err != nil {
		t.Fatal(err)
	}
	again, err := OpenLog(dir, "p", "o", "s")
	if err != nil || again.Size() != 2 || again.st.Epoch != 2 { // l, saved last, was at epoch 1
		t.Fatalf("reopened: size %d epoch %d, %v", again.Size(), again.st.Epoch, err)
	}
}

func TestResealIsDeterministic(t *testing.T) {
	l, err := OpenLog(t.TempDir(), "p", "o", "s")
	if err != nil {
		t.Fatal(err)
	}
	m := sealTest(t, l, 10, "a", "b", "c")
	lines := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	r1, err := l.Reseal(m, lines, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := l.Reseal(m, lines, []int{1})
	if !bytes.Equal(r1, r2) {
		t.Fatal("resealing twice gave different bytes")
	}
	got, _ := ParseManifest(r1)
	if got.Count != 2 || !bytes.Equal(got.RootAfter, mth([][]byte{[]byte("a"), []byte("c")})) {
		t.Errorf("resealed: %d events, root of a and c expected", got.Count)
	}
	if len(got.Skipped) != 1 || got.Skipped[0] != (Skip{From: 11, To: 11, Reason: SkipRejected}) {
		t.Errorf("skipped %+v, want 11 rejected", got.Skipped)
	}
}

func TestIDKey(t *testing.T) {
	hexID := []byte("9a3a14a915c9f9e52e2b01c903001488")
	if k := IDKey(hexID); fmt.Sprintf("%x", k) != "9a3a14a915c9" {
		t.Errorf("IDKey of a default _id = %x, want its first 6 bytes decoded", k)
	}
	for _, id := range []string{"audit-1\x1fResponseComplete", "9a3a14a915c9f9e52e2b01c90300148g", "9a3a"} {
		s := sha256.Sum256([]byte(id))
		if k := IDKey([]byte(id)); !bytes.Equal(k[:], s[:IDKeySize]) {
			t.Errorf("IDKey(%q) = %x, want the first bytes of its SHA-256", id, k)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IDKey(hexID) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestLeavesAddAllocatesOnlyToGrow(t *testing.T) {
	var lv Leaves
	line, id := []byte(`{"_id":"9a3a14a915c9f9e52e2b01c903001488","_seq":1}`), []byte("9a3a14a915c9f9e52e2b01c903001488")
	lv.Add(line, id, []byte("in"), []byte("src"), 0, 10)
	n := testing.AllocsPerRun(1000, func() { lv.Add(line, id, []byte("in"), []byte("src"), 0, 10) })
	if n > 0.1 {
		t.Errorf("%v allocations per event", n)
	}
}

// TestSettleAfterACrashInACheckpointWrite: a checkpoint stored just
// before a crash (its digest never saved as written) is found and chained
// to by the next one; one that was not stored is forgotten.
func TestSettleAfterACrashInACheckpointWrite(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for _, stored := range []bool{true, false} {
		dir := t.TempDir()
		l, err := OpenLog(dir, "p", "o", "s")
		if err != nil {
			t.Fatal(err)
		}
		name, data, _ := l.Checkpoint(at, nil)
		if err := l.Writing(name, data, at); err != nil {
			t.Fatal(err)
		}
		// kill -9 here: PutMeta may or may not have stored it.
		l, err = OpenLog(dir, "p", "o", "s")
		if err != nil {
			t.Fatal(err)
		}
		err = l.Settle(func(n string) ([]byte, error) {
			if stored && n == name {
				return data, nil
			}
			return nil, fs.ErrNotExist
		})
		if err != nil {
			t.Fatal(err)
		}
		_, next, _ := l.Checkpoint(at.Add(time.Hour), nil)
		c, err := ParseCheckpoint(string(next))
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if stored {
			want = Digest(data)
		}
		if c.Prev != want {
			t.Errorf("stored %v: next checkpoint's prev %q, want %q", stored, c.Prev, want)
		}
	}
}
