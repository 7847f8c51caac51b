package chain

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// benchLines are n envelope-sized lines (about 430 bytes, like the bench
// generator's entries) with default hex _ids.
func benchLines(n int) (lines, ids [][]byte) {
	pad := make([]byte, 330)
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	for i := range n {
		id := fmt.Appendf(nil, "%032x", uint64(i)*0x9e3779b97f4a7c15)
		ids = append(ids, id)
		lines = append(lines, fmt.Appendf(nil, `{"_id":"%s","_seq":%d,"pad":"%s"}`, id, i, pad))
	}
	return lines, ids
}

// BenchmarkChainBatch is the chain's CPU per stored event on the sender's
// side: leaf hash, id and leaf index, source range, then per batch the
// tree, the manifest and its commit (without the store's write). The ns/op
// is per event; compare it with BenchmarkBodyDigest, the streaming SHA-256
// of the body that a chain replaces for file and mysql outputs.
func BenchmarkChainBatch(b *testing.B) {
	const batch = 20000
	lines, ids := benchLines(batch)
	l, err := OpenLog(b.TempDir(), "p", "o", "s")
	if err != nil {
		b.Fatal(err)
	}
	lv := &Leaves{}
	input, src := []byte("in"), []byte("0123456789abcdef")
	b.SetBytes(int64(len(lines[0]) + 1))
	b.ResetTimer()
	seq := uint64(1)
	for n := 0; n < b.N; {
		k := min(batch, b.N-n)
		for i := range k {
			lv.Add(lines[i], ids[i], input, src, int64(i*431), int64(i*431+431))
		}
		m := l.Seal(Batch{ID: fmt.Sprint(seq), Key: "k", Format: "ndjson", Compression: "none",
			First: seq, Last: seq + uint64(k) - 1, Count: k, Seqs: []Run{{seq, seq + uint64(k) - 1}}}, lv)
		if err := l.Commit(m); err != nil {
			b.Fatal(err)
		}
		lv.Reset()
		seq += uint64(k)
		n += k
	}
}

// BenchmarkBodyDigest is what a file output without a chain spends per
// event hashing its batch body.
func BenchmarkBodyDigest(b *testing.B) {
	lines, _ := benchLines(1000)
	h := sha256.New()
	nl := []byte{'\n'}
	b.SetBytes(int64(len(lines[0]) + 1))
	for i := range b.N {
		h.Write(lines[i%len(lines)])
		h.Write(nl)
	}
	h.Sum(nil)
}
