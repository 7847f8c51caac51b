package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestStreamIsStable(t *testing.T) {
	dir := t.TempDir()
	a, created, err := Stream(dir)
	if err != nil || !created || len(a) != 16 {
		t.Fatalf("Stream = %q, %v, %v", a, created, err)
	}
	b, created, _ := Stream(dir)
	if a != b || created {
		t.Fatalf("second Stream = %q (created %v), want %q", b, created, a)
	}
	fi, _ := os.Stat(filepath.Join(dir, "stream"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire = %v, want ErrLocked", err)
	}
	l.Release()
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}
