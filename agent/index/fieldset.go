package index

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/cespare/xxhash/v2"
)

// FieldSet is what an index record holds of one index field: the
// distinct values of the batch's events, exactly (Values, sorted) while
// they are few, else as a Bloom filter (Bloom, K): false positives only.
// A field no event had is an empty exact set. Values are the text that
// `field == 'x'` compares: a string's text, an integer in plain decimal.
type FieldSet struct {
	Name   string   `json:"name"`
	N      int      `json:"n"`                // distinct values
	Values []string `json:"values,omitempty"` // exact set, sorted; used when Bloom is nil
	Bloom  []byte   `json:"bloom,omitempty"`  // filter bits, bit j in byte j/8 at 1<<(j%8)
	K      int      `json:"k,omitempty"`      // hash functions of the filter
	Hash   string   `json:"hash,omitempty"`   // what places a value in the filter: HashXX, or "" (SHA-256)
}

// HashXX names the filters placed by xxHash64 (valueHash), written since
// record version 2; a filter without a name (version 1) is placed by
// SHA-256 (shaHashes).
const HashXX = "xxh64"

// Sizing: an exact set while its values take at most exactMaxBytes,
// else a filter of bloomBitsPer bits per value and bloomK hash functions
// (about 0.1% false positives).
const (
	exactMaxBytes = 256
	bloomBitsPer  = 14.4
	bloomK        = 10
)

// newFieldSet sizes the set of one field's distinct values (sorted).
func newFieldSet(name string, values []string) FieldSet {
	size := 0
	for _, v := range values {
		size += exactSize(v)
	}
	if size <= exactMaxBytes {
		return FieldSet{Name: name, N: len(values), Values: values}
	}
	fs := newFilter(name, len(values))
	for _, v := range values {
		fs.addHash(valueHash([]byte(v)))
	}
	return fs
}

// exactSize is what value v takes in an exact set as stored: quotes and a
// comma.
func exactSize(v string) int { return len(v) + 3 }

// newFilter is an empty filter for n distinct values.
func newFilter(name string, n int) FieldSet {
	bits := (int(float64(n)*bloomBitsPer) + 63) / 64 * 64
	return FieldSet{Name: name, N: n, Bloom: make([]byte, bits/8), K: bloomK, Hash: HashXX}
}

// Has reports whether v may be among the values: certainly not when false.
func (fs *FieldSet) Has(v string) bool {
	if fs.Bloom == nil {
		_, ok := slices.BinarySearch(fs.Values, v)
		return ok
	}
	if fs.Hash == HashXX {
		return fs.hasHash(valueHash([]byte(v)))
	}
	h1, h2 := shaHashes(v)
	return fs.hasBits(h1, h2)
}

// hasHash is Has of a value of hash h, in a filter placed by HashXX.
func (fs *FieldSet) hasHash(h uint64) bool {
	m := uint64(len(fs.Bloom)) * 8
	if m == 0 {
		return true
	}
	h1, h2 := xxPair(h)
	for i := range uint64(fs.K) {
		if j := xxBit(h1+i*h2, m); fs.Bloom[j/8]&(1<<(j%8)) == 0 {
			return false
		}
	}
	return true
}

// xxBit is the bit of a HashXX filter of m bits that hash x places: x
// scaled to [0, m) by a multiply and a shift (Lemire), not a division.
func xxBit(x, m uint64) uint64 {
	hi, _ := bits.Mul64(x, m)
	return hi
}

func (fs *FieldSet) hasBits(h1, h2 uint64) bool {
	m := uint64(len(fs.Bloom)) * 8
	if m == 0 {
		return true // a filter without bits says nothing
	}
	for i := range uint64(fs.K) {
		j := (h1 + i*h2) % m
		if fs.Bloom[j/8]&(1<<(j%8)) == 0 {
			return false
		}
	}
	return true
}

// HasAny reports whether any of vs may be among the values.
func (fs *FieldSet) HasAny(vs []string) bool {
	for _, v := range vs {
		if fs.Has(v) {
			return true
		}
	}
	return false
}

// addHash places a value of hash h in a HashXX filter.
func (fs *FieldSet) addHash(h uint64) {
	m := uint64(len(fs.Bloom)) * 8
	h1, h2 := xxPair(h)
	for i := range uint64(fs.K) {
		j := xxBit(h1+i*h2, m)
		fs.Bloom[j/8] |= 1 << (j % 8)
	}
}

// valueHash is a value's xxHash64: what the builder keeps of a value once
// its field's distinct values are too many for an exact set (the filter
// needs no more), and what places it in a HashXX filter. Fixed, so that
// any reader of a stored filter finds the same bits.
func valueHash(v []byte) uint64 { return xxhash.Sum64(v) }

// xxPair are the two hashes whose combinations h1 + i*h2 (scaled to the
// filter's bits by xxBit) place a value of hash h (Kirsch–Mitzenmacher):
// h itself and h mixed by SplitMix64's finaliser, made odd.
func xxPair(h uint64) (uint64, uint64) {
	z := h + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return h, (z ^ z>>31) | 1
}

// shaHashes place a value in the filters of version 1 records: the first
// two little-endian uint64 of its SHA-256, the second made odd, their
// combinations taken mod the filter's bits.
func shaHashes(v string) (uint64, uint64) {
	s := sha256.Sum256([]byte(v))
	return binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[8:16]) | 1
}
