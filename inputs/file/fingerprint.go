package file

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
)

// fpMax is how many leading bytes identify a file.
const fpMax = 1024

// fingerprint identifies a file by the SHA-256 of its first Len bytes
// (Len = min(size, 1 KiB) when it was taken). A fingerprint shorter than
// fpMax matches any longer file whose first Len bytes hash the same, so a
// small file keeps its identity while it grows.
type fingerprint struct {
	Sum [sha256.Size]byte
	Len int
}

// head reads the first min(size, fpMax) bytes of f.
func head(f *os.File) ([]byte, error) {
	buf := make([]byte, fpMax)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// prefixes memoises the hash of each prefix length of one file's head.
type prefixes struct {
	head []byte
	sums map[int][sha256.Size]byte
}

func newPrefixes(head []byte) *prefixes {
	return &prefixes{head: head, sums: make(map[int][sha256.Size]byte)}
}

// full is the fingerprint of the whole head.
func (p *prefixes) full() fingerprint {
	return fingerprint{Sum: p.sum(len(p.head)), Len: len(p.head)}
}

func (p *prefixes) sum(n int) [sha256.Size]byte {
	s, ok := p.sums[n]
	if !ok {
		s = sha256.Sum256(p.head[:n])
		p.sums[n] = s
	}
	return s
}

// matches reports whether fp identifies the file whose head p holds.
func (p *prefixes) matches(fp fingerprint) bool {
	if fp.Len == 0 || fp.Len > len(p.head) {
		return false
	}
	return p.sum(fp.Len) == fp.Sum
}
