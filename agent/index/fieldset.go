package index

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
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
}

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
	fs := FieldSet{Name: name, N: len(values)}
	size := 0
	for _, v := range values {
		size += len(v) + 3 // quotes and a comma, as stored
	}
	if size <= exactMaxBytes {
		fs.Values = values
		return fs
	}
	bits := (int(float64(len(values))*bloomBitsPer) + 63) / 64 * 64
	fs.Bloom, fs.K = make([]byte, bits/8), bloomK
	for _, v := range values {
		fs.add(v)
	}
	return fs
}

// Has reports whether v may be among the values: certainly not when false.
func (fs *FieldSet) Has(v string) bool {
	if fs.Bloom == nil {
		_, ok := slices.BinarySearch(fs.Values, v)
		return ok
	}
	m := uint64(len(fs.Bloom)) * 8
	if m == 0 {
		return true // a filter without bits says nothing
	}
	h1, h2 := bloomHashes(v)
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

func (fs *FieldSet) add(v string) {
	m := uint64(len(fs.Bloom)) * 8
	h1, h2 := bloomHashes(v)
	for i := range uint64(fs.K) {
		j := (h1 + i*h2) % m
		fs.Bloom[j/8] |= 1 << (j % 8)
	}
}

// bloomHashes are the two hashes whose combinations h1 + i*h2 (mod the
// filter's bits) place a value (Kirsch–Mitzenmacher): the first two
// little-endian uint64 of its SHA-256, the second made odd. Fixed, so
// that any reader of a stored filter finds the same bits.
func bloomHashes(v string) (uint64, uint64) {
	s := sha256.Sum256([]byte(v))
	return binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[8:16]) | 1
}
