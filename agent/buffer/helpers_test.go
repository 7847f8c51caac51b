package buffer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openLog(t testing.TB, o Options) *Log {
	t.Helper()
	l, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func payload(seq uint64, n int) []byte {
	b := fmt.Appendf(nil, "record-%d-", seq)
	for len(b) < n {
		b = append(b, byte('a'+seq%26))
	}
	return b
}

// appendN appends n events of size bytes in one batch and waits for it.
func appendN(t testing.TB, l *Log, n, size int) {
	t.Helper()
	kinds, payloads := batch(l.NextSeq(), n, size)
	appendWait(t, l, kinds, payloads)
}

// appendWait appends one batch and waits until it is durable.
func appendWait(t testing.TB, l *Log, kinds []Kind, payloads [][]byte) {
	t.Helper()
	done := make(chan error, 1)
	if err := l.Append(kinds, payloads, func(err error) { done <- err }); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("onDurable: %v", err)
	}
}

func batch(first uint64, n, size int) ([]Kind, [][]byte) {
	kinds, payloads := make([]Kind, n), make([][]byte, n)
	for i := range n {
		kinds[i], payloads[i] = KindEvent, payload(first+uint64(i), size)
	}
	return kinds, payloads
}

// readAll reads every durable record from from on, copying the data, and
// collects the lost ranges reported on the way.
func readAll(t testing.TB, l *Log, from uint64) ([]Record, []Lost) {
	t.Helper()
	r, err := l.NewReader(from)
	if err != nil {
		t.Fatalf("NewReader(%d): %v", from, err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recs []Record
	var lost []Lost
	for r.from <= l.Durable() {
		rec, err := r.Next(ctx)
		var le *LostError
		switch {
		case errors.As(err, &le):
			lost = append(lost, le.Lost)
		case err != nil:
			t.Fatalf("Next after %d records: %v", len(recs), err)
		default:
			rec.Data = append([]byte(nil), rec.Data...)
			recs = append(recs, rec)
		}
	}
	return recs, lost
}

// checkSeqs verifies that recs hold exactly want, with their payloads.
func checkSeqs(t testing.TB, recs []Record, want []uint64, size int) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if r.Seq != want[i] || string(r.Data) != string(payload(r.Seq, size)) {
			t.Fatalf("record %d: seq %d data %.20q, want seq %d", i, r.Seq, r.Data, want[i])
		}
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func segPaths(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recordAt is the offset of the frame of record seq in a segment file.
func recordAt(t testing.TB, path string, seq uint64) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fr := newFrameReader(1 << 20)
	fr.reset(f)
	for {
		off := fr.pos()
		fm, n, st, err := fr.frameAt()
		if err != nil || st != stOK {
			t.Fatalf("no record %d in %s (status %d, %v)", seq, path, st, err)
		}
		if fm.kind != KindMarks && fm.seq == seq {
			return off
		}
		fr.discard(n)
	}
}
