package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A Sync waits for a flush that starts after it was called: one that
// arrives while a flush runs waits for the next, and the calls that
// arrive meanwhile share that one.
func TestGroupWaitsForAFlushThatStartsAfterTheCall(t *testing.T) {
	inFlush, release := make(chan int, 8), make(chan struct{}, 8)
	n := 0
	g := newGroup(func(*os.File) error {
		n++
		inFlush <- n
		<-release
		return nil
	})
	returned := make(chan string, 8)
	go func() { g.sync(nil, ownSync); returned <- "first" }()
	if got := <-inFlush; got != 1 {
		t.Fatalf("flush %d, want 1", got)
	}
	var wg sync.WaitGroup
	for range 3 { // arrive while flush 1 runs
		wg.Add(1)
		go func() { defer wg.Done(); g.sync(nil, ownSync); returned <- "later" }()
	}
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return waiters(g) })
	release <- struct{}{}
	if got := <-returned; got != "first" {
		t.Fatalf("%s returned after flush 1, want only the first caller", got)
	}
	select {
	case got := <-returned:
		t.Fatalf("a %s caller returned on a flush that started before it", got)
	case <-time.After(50 * time.Millisecond):
	}
	if got := <-inFlush; got != 2 {
		t.Fatalf("flush %d, want 2", got)
	}
	release <- struct{}{}
	wg.Wait()
	if n != 2 {
		t.Fatalf("%d flushes for 4 calls, want 2 (the three later ones shared one)", n)
	}
}

// waiters is true once every later caller has come in: started is 1 and
// no one holds the flush but the first.
func waiters(g *group) bool { return g.started == 1 && g.running }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the later callers reach their wait
}

// ownSync stands for the caller's own fsync; it must not run when the
// shared flush succeeded.
func ownSync(*os.File) error { return errors.New("own fsync called") }

// A failed flush makes its waiters fsync their own files and return what
// that says; the next flush serves its callers again.
func TestGroupFallsBackToOwnFsyncWhenAFlushFails(t *testing.T) {
	fail := true
	g := newGroup(func(*os.File) error {
		if fail {
			return errors.New("EIO")
		}
		return nil
	})
	owned := 0
	own := func(*os.File) error { owned++; return nil }
	if err := g.sync(nil, own); err != nil || owned != 1 {
		t.Fatalf("after a failed flush: %v, own fsyncs %d; want nil and 1", err, owned)
	}
	bad := func(*os.File) error { return errors.New("EIO on this file") }
	if err := g.sync(nil, bad); err == nil {
		t.Fatal("the file's own failed fsync was not reported")
	}
	fail = false
	if err := g.sync(nil, ownSync); err != nil {
		t.Fatalf("the next flush succeeded but the call returned %v", err)
	}
}

// On this machine's filesystem, concurrent Syncs share flushes. A round
// whose calls did not overlap (a starved scheduler runs the goroutines one
// after the other: 28 flushes for 40 calls, once in 200 rounds beside two
// busy loops) proves nothing either way, so up to three rounds are tried;
// one with at most n/2 flushes for n calls shows the sharing.
func TestSyncSharesFlushes(t *testing.T) {
	dir := t.TempDir()
	probe, err := os.Create(filepath.Join(dir, "probe"))
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if groupOf(probe) == nil {
		t.Skip("no shared flushes here (kernel before 5.8, AUDITSHIP_FSYNC=file or another filesystem); Sync is fsync")
	}
	const n = 40
	var rounds []uint64
	for round := range 3 {
		got := concurrentSyncs(t, filepath.Join(dir, fmt.Sprint(round)), n)
		if got >= 1 && got <= n/2 {
			return
		}
		rounds = append(rounds, got)
	}
	t.Fatalf("flushes for %d concurrent Syncs in each round: %v, want between 1 and %d in one", n, rounds, n/2)
}

// concurrentSyncs writes n files in dir, then Syncs them all at once, and
// returns the flushes made meanwhile.
func concurrentSyncs(t *testing.T, dir string, n int) uint64 {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	before := Flushes()
	// Every goroutine has its file written before any Sync starts, so
	// that the calls come together, not spread over the file creations.
	var ready sync.WaitGroup
	ready.Add(n)
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
			if err == nil {
				_, err = f.Write(make([]byte, 4096))
			}
			ready.Done()
			<-start
			if err == nil {
				err = Sync(f)
			}
			f.Close()
			errs <- err
		}()
	}
	ready.Wait()
	close(start)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	return Flushes() - before
}

func TestKernelAtLeast(t *testing.T) {
	for release, want := range map[string]bool{"6.1.0-13-amd64": true, "5.8.0": true, "5.7.19": false,
		"4.18.0-553.el8_10.x86_64": false, "5.10": true, "6": true, "5": false, "": false, "10.0.1": true} {
		if got := kernelAtLeast(release, 5, 8); got != want {
			t.Errorf("kernelAtLeast(%q, 5, 8) = %v, want %v", release, got, want)
		}
	}
}
