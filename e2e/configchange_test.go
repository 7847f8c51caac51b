package e2e

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestDisabledOutputSkipsAndReenabledStartsAtHead follows SPEC §2 across
// three runs on one data_dir: output b disabled in the second run is not
// sent what arrives meanwhile, and enabled again in the third it starts at
// the head of the buffer; output a gets everything, exactly once.
func TestDisabledOutputSkipsAndReenabledStartsAtHead(t *testing.T) {
	t.Parallel()
	a, b, dataDir := t.TempDir(), t.TempDir(), t.TempDir()
	g := newEntryGen(t)
	run := func(bEnabled bool, n int) []string {
		bOut := fileOutputWith("b", b, outOpts{})
		if !bEnabled {
			bOut = fileOutputWith("b", b, outOpts{extra: "enabled = false"})
		}
		cfg := config{input: stdinInput(), outputs: []string{fileOutput("a", a), bOut}}.write(t)
		p := start(t, true, "run", "-c", cfg, "--data-dir", dataDir)
		ids := writeStdin(t, p, g, &source{}, n)
		p.stdin.Close()
		if code := p.wait(60 * time.Second); code != 0 {
			t.Fatalf("run (b enabled %v) exit code %d, want 0", bEnabled, code)
		}
		return ids
	}
	first, second, third := run(true, 100), run(false, 50), run(true, 30)
	sa, err := readStored(a)
	if err != nil {
		t.Fatal(err)
	}
	assertExact(t, sa, slices.Concat(first, second, third))
	sb, err := readStored(b)
	if err != nil {
		t.Fatal(err)
	}
	assertExact(t, sb, slices.Concat(first, third))
}

// TestFailingOutputDoesNotHoldOthers: with one output down for the whole
// run, the other receives every entry, exactly, while the buffer has room
// (each output reads the buffer at its own cursor).
func TestFailingOutputDoesNotHoldOthers(t *testing.T) {
	t.Parallel()
	good, dataDir := t.TempDir(), t.TempDir()
	cfg := config{shutdown: "2s", input: stdinInput(),
		outputs: []string{fileOutput("good", good), fileOutputWith("down", blockedDir(t), outOpts{})}}.write(t)
	p := start(t, true, "run", "-c", cfg, "--data-dir", dataDir)
	ids := writeStdin(t, p, newEntryGen(t), &source{}, 3000)
	s := waitStored(t, good, ids, 30*time.Second) // delivered while "down" still fails
	assertExact(t, s, ids)
	p.stdin.Close()
	if code := p.wait(30 * time.Second); code != 1 {
		t.Fatalf("exit code %d, want 1: the failing output kept its events past shutdown_timeout", code)
	}
}

// TestDataDirModes: every file auditship creates under data_dir is 0600
// and every directory 0700 (SPEC §6).
func TestDataDirModes(t *testing.T) {
	t.Parallel()
	out, dataDir := t.TempDir(), filepath.Join(t.TempDir(), "state")
	cfg := config{input: stdinInput(), outputs: []string{fileOutput("out", out)}}.write(t)
	p := start(t, true, "run", "-c", cfg, "--data-dir", dataDir)
	writeStdin(t, p, newEntryGen(t), &source{}, 50)
	p.stdin.Close()
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	n := 0
	filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
		n++
		return nil
	})
	if n < 8 { // lock, stream, buffer segment, cursor, journal, checkpoints and their directories
		t.Errorf("only %d entries under data_dir", n)
	}
}
