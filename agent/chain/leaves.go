package chain

import "crypto/sha256"

// Leaves collects what a batch's manifest needs from its events while the
// batch fills: one leaf hash per stored line, the _id and leaf index
// entries, and the source ranges. Each line is hashed once, here.
type Leaves struct {
	h       LeafHasher
	hashes  []byte // the leaf hashes, 32 bytes each: one allocation per growth, not per event
	ids     []byte
	leafIdx []byte
	sources []Source
}

// Add records one stored line (the envelope, without its newline), its
// _id, and the source bytes [from, to) it was read from.
func (l *Leaves) Add(line, id, input, sourceID []byte, from, to int64) {
	n := len(l.hashes)
	l.hashes = l.h.AppendHash(l.hashes, line)
	k := IDKey(id)
	l.ids = append(l.ids, k[:]...)
	l.leafIdx = append(l.leafIdx, l.hashes[n:n+LeafKeySize]...)
	l.addSource(input, sourceID, from, to)
}

// addSource widens the range of (input, sourceID), comparing bytes so that
// a known source costs no allocation.
func (l *Leaves) addSource(input, sourceID []byte, from, to int64) {
	for i := range l.sources {
		s := &l.sources[i]
		if s.Input == string(input) && s.SourceID == string(sourceID) { // no allocation: compiler-optimised compare
			s.From, s.To = min(s.From, from), max(s.To, to)
			return
		}
	}
	l.sources = append(l.sources, Source{Input: string(input), SourceID: string(sourceID), From: from, To: to})
}

// Reset empties l for the next batch, keeping its memory: its hashes are
// not referenced once sealed (Seal copies what the manifest keeps).
func (l *Leaves) Reset() {
	l.hashes, l.ids, l.leafIdx = l.hashes[:0], l.ids[:0], l.leafIdx[:0]
	l.sources = nil
}

// Len is the number of lines added.
func (l *Leaves) Len() int { return len(l.hashes) / sha256.Size }

// hash is the i-th leaf hash.
func (l *Leaves) hash(i int) []byte {
	return l.hashes[i*sha256.Size : (i+1)*sha256.Size : (i+1)*sha256.Size]
}
