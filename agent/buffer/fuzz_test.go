package buffer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const fuzzSize = 40 // payload bytes of the fuzz log's records

var fuzzLog struct {
	once  sync.Once
	files map[string][]byte
	names []string
}

// validSegments builds, once, a small log of three segments to damage.
func validSegments(t testing.TB) ([]string, map[string][]byte) {
	fuzzLog.once.Do(func() {
		dir, err := os.MkdirTemp("", "fuzzlog")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		l, err := Open(Options{Dir: dir, SegmentSize: 600, Fsync: FsyncNever})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			l.SetMark("k", []byte{byte(i)})
			kinds, payloads := batch(l.NextSeq(), 2, fuzzSize)
			if err := l.Append(kinds, payloads, nil); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		fuzzLog.files = map[string][]byte{}
		for _, p := range segPaths(t, dir) {
			b, _ := os.ReadFile(p)
			fuzzLog.names = append(fuzzLog.names, filepath.Base(p))
			fuzzLog.files[filepath.Base(p)] = b
		}
	})
	return fuzzLog.names, fuzzLog.files
}

// FuzzRecover damages a valid log (or replaces a segment with the input)
// and checks that Open succeeds and readers return only intact records,
// in order, and terminate. A plain cut (op 2, no data) must leave whole
// writes with their marks, as a kill -9 would.
func FuzzRecover(f *testing.F) {
	f.Add(uint8(0), uint32(0), uint8(0), []byte{})
	f.Add(uint8(1), uint32(70), uint8(0xff), []byte{})
	f.Add(uint8(2), uint32(300), uint8(0), []byte("garbage"))
	f.Add(uint8(3), uint32(5), uint8(1), magic[:])
	f.Add(uint8(0), uint32(2), uint8(0), append(magic[:], make([]byte, 40)...))
	// The newest of the 4 segments (pos%4 == 3) cut between the two
	// records of a write (pos%575): its first one, then a later one.
	f.Add(uint8(2), uint32(3*575+98), uint8(0), []byte{})
	f.Add(uint8(2), uint32(3*575+478), uint8(0), []byte{})
	f.Fuzz(func(t *testing.T, op uint8, pos uint32, xor uint8, data []byte) {
		names, files := validSegments(t)
		dir := t.TempDir()
		victim := names[int(pos)%len(names)]
		for _, n := range names {
			b := bytes.Clone(files[n])
			if n == victim {
				b = damage(b, op, pos, xor, data)
			}
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		l, err := Open(Options{Dir: dir, Fsync: FsyncNever, MaxRecordBytes: 1 << 16})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer l.Close()
		checkIntact(t, l)
		if op%4 == 2 && len(data) == 0 {
			checkWholeWrites(t, l)
		}
	})
}

func damage(b []byte, op uint8, pos uint32, xor uint8, data []byte) []byte {
	switch op % 4 {
	case 0:
		return data
	case 1:
		if len(b) > 0 {
			b[int(pos)%len(b)] ^= max(xor, 1)
		}
	case 2:
		b = append(b[:int(pos)%(len(b)+1)], data...)
	case 3:
		at := int(pos) % (len(b) + 1)
		b = append(b[:at:at], append(data, b[at:]...)...)
	}
	return b
}

func checkIntact(t *testing.T, l *Log) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := l.NewReader(1)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	var last uint64
	for r.from <= l.Durable() {
		rec, err := r.Next(ctx)
		var le *LostError
		if errors.As(err, &le) {
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if rec.Seq <= last || !bytes.Equal(rec.Data, payload(rec.Seq, fuzzSize)) {
			t.Fatalf("bad record seq %d after %d: %q", rec.Seq, last, rec.Data)
		}
		last = rec.Seq
	}
}

// checkWholeWrites: write i of the fuzz log holds seqs 2i+1 and 2i+2 and
// sets mark "k" to i, so after a cut the log ends on an even seq n with
// "k" = n/2-1 (no mark if n is 0).
func checkWholeWrites(t *testing.T, l *Log) {
	n := l.NextSeq() - 1
	want := map[string][]byte{}
	if n > 0 {
		want["k"] = []byte{byte(n/2 - 1)}
	}
	if n%2 != 0 || !bytes.Equal(l.Marks()["k"], want["k"]) || len(l.Marks()) != len(want) {
		t.Fatalf("log ends at seq %d with marks %v: not a whole write", n, l.Marks())
	}
}
