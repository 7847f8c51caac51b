package buffer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// checkUnchanged verifies that a failed Append left no trace.
func checkUnchanged(t *testing.T, l *Log, next uint64, size int64) {
	t.Helper()
	path := filepath.Join(l.o.Dir, segName(l.segs[len(l.segs)-1].first))
	if got := fileSize(t, path); got != size {
		t.Fatalf("segment size %d after a failed append, want %d", got, size)
	}
	if l.NextSeq() != next || l.Durable() != next-1 {
		t.Fatalf("NextSeq %d Durable %d, want %d and %d", l.NextSeq(), l.Durable(), next, next-1)
	}
	if n := len(segPaths(t, l.o.Dir)); n != len(l.segs) {
		t.Fatalf("%d segment files, %d listed", n, len(l.segs))
	}
}

func TestWriteErrorLeavesNothing(t *testing.T) {
	for _, roll := range []bool{false, true} {
		l := openLog(t, Options{Dir: t.TempDir(), SegmentSize: 2000})
		appendN(t, l, 3, 100)
		l.SetMark("m", []byte("after-fail"))
		size := l.activeSize
		l.writeAt = func(f *os.File, b []byte, off int64) (int, error) {
			n, _ := f.WriteAt(b[:len(b)/2], off)
			return n, syscall.ENOSPC
		}
		n := 5
		if roll {
			n = 20
		}
		kinds, payloads := batch(4, n, 100)
		err := l.Append(kinds, payloads, func(error) { t.Error("onDurable called for a failed Append") })
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("roll %v: Append error %v, want ENOSPC", roll, err)
		}
		checkUnchanged(t, l, 4, size)
		l.writeAt = (*os.File).WriteAt
		appendN(t, l, n, 100)
		recs, _ := readAll(t, l, 1)
		checkSeqs(t, recs, seqRange(1, uint64(3+n)), 100)
		if got := string(l.Marks()["m"]); got != "after-fail" {
			t.Fatalf("mark %q: the failed append's marks were not carried over", got)
		}
	}
}

func TestFsyncErrorAlways(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir(), Fsync: FsyncAlways})
	appendN(t, l, 3, 100)
	size := l.activeSize
	l.fsync = func(*os.File) error { return syscall.EIO }
	kinds, payloads := batch(4, 5, 100)
	if err := l.Append(kinds, payloads, nil); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Append error %v, want EIO", err)
	}
	checkUnchanged(t, l, 4, size)
	l.fsync = (*os.File).Sync
	appendN(t, l, 5, 100)
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 8), 100)
}

func TestFsyncErrorBatchStopsTheLog(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, Options{Dir: dir})
	appendN(t, l, 3, 100)
	l.fsync = func(*os.File) error { return syscall.EIO }
	kinds, payloads := batch(4, 5, 100)
	done := make(chan error, 1)
	if err := l.Append(kinds, payloads, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, syscall.EIO) {
		t.Fatalf("onDurable got %v, want EIO", err)
	}
	if l.Durable() != 3 {
		t.Fatalf("Durable %d after a failed fsync", l.Durable())
	}
	if err := l.Append(kinds, payloads, nil); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Append after a failed fsync: %v", err)
	}
	l.Close()
	l = openLog(t, Options{Dir: dir}) // reopening recovers what reached the file
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 8), 100)
}

// TestENOSPCOnTmpfs fills a real 2 MiB tmpfs (needs root).
func TestENOSPCOnTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount tmpfs (%v); TestWriteErrorLeavesNothing covers this", err)
	}
	defer syscall.Unmount(dir, 0)
	l := openLog(t, Options{Dir: filepath.Join(dir, "buf")})
	defer l.Close()
	appendN(t, l, 10, 600)
	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	size := l.activeSize
	kinds, payloads := batch(11, 50, 600)
	if err := l.Append(kinds, payloads, nil); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append on a full disk: %v, want ENOSPC", err)
	}
	checkUnchanged(t, l, 11, size)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 50, 600)
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 60), 600)
}

// fill writes to path until the disk is full, then frees 8 KiB so that
// the next append writes part of its batch before failing.
func fill(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	var n int64
	for {
		m, err := f.Write(chunk)
		n += int64(m)
		if err != nil {
			break
		}
	}
	if err := f.Truncate(n - 8192); err != nil {
		t.Fatal(err)
	}
}

// TestReadAheadOfFailedAppend: a reader that buffered the bytes of an
// append that then failed must read what replaces them, not those bytes.
func TestReadAheadOfFailedAppend(t *testing.T) {
	l := openLog(t, Options{Dir: t.TempDir(), Fsync: FsyncNever})
	appendN(t, l, 3, 100)
	var r *Reader
	l.writeAt = func(f *os.File, b []byte, off int64) (int, error) {
		n, _ := f.WriteAt(b, off)
		var err error
		if r, err = l.NewReader(1); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(context.Background()); err != nil { // buffers the whole file
			t.Fatal(err)
		}
		return n, syscall.EIO
	}
	kinds, payloads := batch(4, 3, 100)
	for i := range payloads {
		payloads[i] = []byte("from the failed append")
	}
	if err := l.Append(kinds, payloads, nil); err == nil {
		t.Fatal("Append succeeded")
	}
	defer r.Close()
	l.writeAt = (*os.File).WriteAt
	appendN(t, l, 3, 100)
	for seq := uint64(2); seq <= 6; seq++ {
		rec, err := r.Next(context.Background())
		if err != nil || rec.Seq != seq || string(rec.Data) != string(payload(seq, 100)) {
			t.Fatalf("seq %d: got %d %.30q %v", seq, rec.Seq, rec.Data, err)
		}
	}
}
