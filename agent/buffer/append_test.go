package buffer

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTripAcrossRolls(t *testing.T) {
	for _, mode := range []string{FsyncAlways, FsyncBatch, FsyncNever} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, Options{Dir: dir, SegmentSize: 4096, Fsync: mode})
			for range 20 {
				appendN(t, l, 7, 100)
			}
			if n := len(segPaths(t, dir)); n < 5 {
				t.Fatalf("%d segments, want several", n)
			}
			recs, lost := readAll(t, l, 1)
			checkSeqs(t, recs, seqRange(1, 140), 100)
			if lost != nil {
				t.Fatalf("lost %v", lost)
			}
			recs, _ = readAll(t, l, 77)
			checkSeqs(t, recs, seqRange(77, 140), 100)
		})
	}
}

func TestReaderSeesOnlyDurable(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	gate, synced := make(chan struct{}), make(chan struct{}, 10)
	l.fsync = func(f *os.File) error {
		<-gate
		synced <- struct{}{}
		return f.Sync()
	}
	kinds, payloads := batch(1, 3, 10)
	if err := l.Append(kinds, payloads, nil); err != nil {
		t.Fatal(err)
	}
	if d := l.Durable(); d != 0 {
		t.Fatalf("Durable before fsync = %d", d)
	}
	if recs, _ := readAll(t, l, 1); len(recs) != 0 {
		t.Fatalf("read %d records before fsync", len(recs))
	}
	close(gate)
	<-synced
	for l.Durable() < 3 { // published right after the fsync returns
		time.Sleep(time.Millisecond)
	}
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 3), 10)
}

func TestGroupCommitCoalesces(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	var mu sync.Mutex
	fsyncs := 0
	gate := make(chan struct{})
	l.fsync = func(f *os.File) error {
		<-gate
		mu.Lock()
		fsyncs++
		mu.Unlock()
		return f.Sync()
	}
	var got []int
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		kinds, payloads := batch(l.NextSeq(), 2, 10)
		err := l.Append(kinds, payloads, func(err error) {
			if err != nil {
				t.Error(err)
			}
			got = append(got, i) // callbacks run on one goroutine, in order
			wg.Done()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	wg.Wait()
	if want := seqInts(50); !cmp.Equal(got, want) {
		t.Fatalf("callback order: %v", got)
	}
	if fsyncs > 2 { // one round may have started before the later appends
		t.Fatalf("%d fsyncs for 50 appends, want at most 2", fsyncs)
	}
}

func seqInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestOnDurableExactlyOnce(t *testing.T) {
	for _, mode := range []string{FsyncAlways, FsyncBatch, FsyncNever} {
		t.Run(mode, func(t *testing.T) {
			l := openLog(t, Options{Dir: t.TempDir(), SegmentSize: 2048, Fsync: mode})
			counts := make([]int, 200)
			var mu sync.Mutex
			for i := range counts {
				kinds, payloads := batch(l.NextSeq(), 3, 50)
				if err := l.Append(kinds, payloads, func(error) { mu.Lock(); counts[i]++; mu.Unlock() }); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			for i, c := range counts {
				if c != 1 {
					t.Fatalf("append %d: onDurable called %d times", i, c)
				}
			}
		})
	}
}

func TestNextSeqAndMarksSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, Options{Dir: dir, SegmentSize: 1024})
	for i := range 30 {
		l.SetMark("in/a", []byte{byte(i)})
		if i%3 == 0 {
			l.SetMark("in/b", []byte{byte(i), 1})
		}
		appendN(t, l, 2, 60)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, Options{Dir: dir, SegmentSize: 1024})
	if got := l.NextSeq(); got != 61 {
		t.Fatalf("NextSeq after reopen = %d, want 61", got)
	}
	want := map[string][]byte{"in/a": {29}, "in/b": {27, 1}}
	if diff := cmp.Diff(want, l.Marks()); diff != "" {
		t.Fatalf("marks (-want +got):\n%s", diff)
	}
	appendN(t, l, 1, 60)
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 61), 60)
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "buf")
	l := openLog(t, Options{Dir: dir, SegmentSize: 1024})
	for range 5 {
		appendN(t, l, 5, 100)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", fi.Mode())
	}
	for _, p := range segPaths(t, dir) {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v", p, fi.Mode())
		}
	}
}

func TestKindsAndReservedKind(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir()})
	if err := l.Append([]Kind{KindMarks}, [][]byte{nil}, nil); err == nil {
		t.Fatal("Append accepted KindMarks")
	}
	if err := l.Append([]Kind{KindEvent}, nil, nil); err == nil {
		t.Fatal("Append accepted mismatched slices")
	}
	kinds := []Kind{KindEvent, KindDrop, 9, KindEvent}
	l.SetMark("m", []byte("x"))
	done := make(chan error, 1)
	if err := l.Append(kinds, [][]byte{[]byte("a"), []byte("b"), {}, []byte("d")}, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	<-done
	recs, _ := readAll(t, l, 1)
	var got []Kind
	for _, r := range recs {
		got = append(got, r.Kind)
	}
	if diff := cmp.Diff(kinds, got); diff != "" {
		t.Fatalf("kinds (-want +got):\n%s", diff)
	}
}
