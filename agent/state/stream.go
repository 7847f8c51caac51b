package state

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Stream returns the pipeline's stream id stored in dir, creating a random
// one when there is none: a lost data_dir gives a new stream, so a new run
// never reuses an archived key.
func Stream(dir string) (id string, created bool, err error) {
	name := filepath.Join(dir, "stream")
	b, err := os.ReadFile(name)
	if err == nil {
		return strings.TrimSpace(string(b)), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", false, err
	}
	id = hex.EncodeToString(r[:])
	return id, true, WriteFile(name, []byte(id+"\n"))
}

// seqBlock is how many sequence numbers are reserved per state write; a
// kill -9 skips at most this many numbers, never reuses one.
const seqBlock = 1 << 16

// Seq hands out a pipeline's _seq numbers, continuing across restarts.
// Not safe for concurrent use.
type Seq struct {
	name     string
	next     uint64
	reserved uint64
}

// OpenSeq reads the counter stored in dir; the first number is 1.
func OpenSeq(dir string) (*Seq, error) {
	s := &Seq{name: filepath.Join(dir, "seq"), next: 1}
	b, err := os.ReadFile(s.name)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		n, perr := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if perr != nil {
			return nil, fmt.Errorf("%s: corrupt sequence counter", s.name)
		}
		s.next = n
	}
	s.reserved = s.next
	return s, nil
}

// Next returns the next n numbers' first value.
func (s *Seq) Next(n int) (uint64, error) {
	first := s.next
	if end := first + uint64(n); end > s.reserved {
		if err := s.store(end + seqBlock); err != nil {
			return 0, err
		}
		s.reserved = end + seqBlock
	}
	s.next += uint64(n)
	return first, nil
}

// Close stores the exact next number, so a clean restart leaves no gap.
func (s *Seq) Close() error { return s.store(s.next) }

func (s *Seq) store(v uint64) error {
	return WriteFile(s.name, []byte(strconv.FormatUint(v, 10)+"\n"))
}
