package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"testing"
	"time"
)

// entryGen produces realistic Automatiko JSON entries, each one unique:
// the samples in testdata/automatiko.jsonl in turn, with a fresh
// timestamp. Entry 0 is the first sample verbatim (the golden line).
type entryGen struct {
	samples [][]byte
	n       int
	base    time.Time
}

func newEntryGen(t *testing.T) *entryGen {
	t.Helper()
	b, err := os.ReadFile("testdata/automatiko.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	samples := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	base := time.Date(2024, 5, 13, 10, 0, 0, 0, time.UTC)
	return &entryGen{samples: samples, base: base}
}

var tsKey = []byte(`{"timestamp":"`)

// next returns the next entry, without its newline.
func (g *entryGen) next() []byte {
	n := g.n
	g.n++
	s := g.samples[n%len(g.samples)]
	if n == 0 {
		return s
	}
	rest := s[len(tsKey):]
	rest = rest[bytes.IndexByte(rest, '"'):]
	// 1013µs steps give every fraction length from 0 to 6 digits.
	ts := g.base.Add(time.Duration(n) * 1013 * time.Microsecond)
	line := append([]byte{}, tsKey...)
	line = ts.AppendFormat(line, "2006-01-02T15:04:05.999999")
	return append(line, rest...)
}

// source computes the _id of each record of one physical source (SPEC §4):
// its source_id is the SHA-256 of its first line, offsets start at 0.
type source struct {
	id      [32]byte
	offset  int64
	started bool
}

// add returns the _id of line (without its newline) appended at the
// source's current end.
func (s *source) add(line []byte) string {
	if !s.started {
		s.id, s.started = sha256.Sum256(line), true
	}
	id := eventID(s.id, s.offset, line)
	s.offset += int64(len(line)) + 1
	return id
}

// eventID is SPEC §4's default _id: the first 16 bytes, in hex, of
// SHA-256(uint64be(32) ‖ source_id ‖ uint64be(offset) ‖ record).
func eventID(sourceID [32]byte, offset int64, rec []byte) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(sourceID)))
	h.Write(n[:])
	h.Write(sourceID[:])
	binary.BigEndian.PutUint64(n[:], uint64(offset))
	h.Write(n[:])
	h.Write(rec)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// TestEventID pins the helper to the golden _id of FORMATS.md, so a
// mismatch in the other tests is the agent's, not the test's.
func TestEventID(t *testing.T) {
	g := newEntryGen(t)
	var s source
	if got, want := s.add(g.next()), "9a3a14a915c9f9e52e2b01c903001488"; got != want {
		t.Errorf("_id of the first sample = %s, want %s", got, want)
	}
}

// TestEntryGenUnique guards the assumption every count below rests on.
func TestEntryGenUnique(t *testing.T) {
	g := newEntryGen(t)
	seen := map[string]bool{}
	for range 20000 {
		line := string(g.next())
		if seen[line] {
			t.Fatalf("entry repeated: %s", line)
		}
		seen[line] = true
	}
}
