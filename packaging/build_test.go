package packaging

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The version stamped into the test packages, checked in `auditship version`.
const (
	testVersion   = "0.9.0-test"
	testCommit    = "abc1234"
	testBuildDate = "2026-01-02T03:04:05Z"
)

// dist is what scripts/package.sh produced, built once per test binary.
type dist struct {
	dir, deb, rpm, bin string
	err                error
	log                string
}

var (
	distOnce sync.Once
	built    dist
	distRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if distRoot != "" {
		os.RemoveAll(distRoot)
	}
	os.Exit(code)
}

// packages runs scripts/package.sh into a temporary directory (once).
func packages(t *testing.T) dist {
	t.Helper()
	distOnce.Do(buildDist)
	if built.err != nil {
		t.Fatalf("scripts/package.sh: %v\n%s", built.err, built.log)
	}
	return built
}

func buildDist() {
	dir, err := os.MkdirTemp("", "auditship-dist-")
	if err != nil {
		built.err = err
		return
	}
	distRoot = dir
	// A cold machine builds nfpm first (go install), beside the other
	// packages' tests: 5 minutes were too few on a loaded 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../scripts/package.sh")
	cmd.Env = append(os.Environ(), "DIST="+dir, "VERSION="+testVersion,
		"COMMIT="+testCommit, "BUILD_DATE="+testBuildDate)
	out, err := cmd.CombinedOutput()
	built = dist{dir: dir, bin: filepath.Join(dir, "build", "auditship"), err: err, log: string(out)}
	if err != nil {
		return
	}
	built.deb, built.err = onlyMatch(dir, "*.deb")
	if built.err == nil {
		built.rpm, built.err = onlyMatch(dir, "*.rpm")
	}
}

func onlyMatch(dir, pattern string) (string, error) {
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err == nil && len(m) != 1 {
		err = &os.PathError{Op: "glob", Path: filepath.Join(dir, pattern), Err: os.ErrNotExist}
	}
	if err != nil {
		return "", err
	}
	return m[0], nil
}

// requireServices reports whether a missing tool must fail (make test).
func requireServices() bool { return os.Getenv("AUDITSHIP_REQUIRE_SERVICES") == "1" }

// needRoot skips (or fails under make test) when not root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if requireServices() {
		t.Fatal("installing packages needs root")
	}
	t.Skip("installing packages needs root")
}

// sh runs a command and returns its combined output, failing on error.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := run(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}
