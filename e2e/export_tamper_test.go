package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent/chain"
)

// testBundleTamper alters a copy of a good bundle in one way at a time:
// verify --bundle exits 1 and names the problem.
func testBundleTamper(t *testing.T, bundle, pub string) {
	cps, err := os.ReadDir(filepath.Join(bundle, chain.BundleCheckpoints))
	if err != nil || len(cps) == 0 {
		t.Fatalf("checkpoints of the bundle: %v (%d)", err, len(cps))
	}
	cp := filepath.Join(chain.BundleCheckpoints, cps[0].Name())
	cases := []struct {
		name, want string
		edit       func(t *testing.T, dir string)
	}{
		{"one event line altered", "event altered", func(t *testing.T, dir string) {
			editBundleLine(t, dir, chain.BundleEvents, 2, func(l string) string { return strings.Replace(l, `"clerk"`, `"clerc"`, 1) })
		}},
		{"one proof altered", "proof altered", func(t *testing.T, dir string) {
			editBundleLine(t, dir, chain.BundleProofs, 3, func(l string) string {
				var p chain.BundleProof
				if err := json.Unmarshal([]byte(l), &p); err != nil || len(p.AuditPath) == 0 {
					t.Fatalf("proof line 3: %v, %d path hashes", err, len(p.AuditPath))
				}
				p.AuditPath[len(p.AuditPath)/2][7] ^= 0x01
				b, _ := json.Marshal(p)
				return string(b)
			})
		}},
		{"the checkpoint altered", "checkpoint altered", func(t *testing.T, dir string) {
			editBundleLine(t, dir, cp, 2, func(l string) string { return l + "0" }) // the tree size
		}},
		{"an event removed, its _id kept in ids.txt", "event missing", func(t *testing.T, dir string) {
			drop := func(ls []string) []string { return slices.Delete(ls, 5, 6) }
			editBundleLines(t, dir, chain.BundleEvents, drop)
			editBundleLines(t, dir, chain.BundleProofs, drop)
		}},
	}
	for _, c := range cases {
		dir := filepath.Join(t.TempDir(), "bundle")
		if err := os.CopyFS(dir, os.DirFS(bundle)); err != nil {
			t.Fatal(err)
		}
		c.edit(t, dir)
		out, stderr, code := runOnce(t, "verify", "--bundle", dir, "--public-key", pub)
		if code != 1 || !strings.Contains(out, ": "+c.want+": ") {
			t.Errorf("verify --bundle with %s: exit %d, want 1 naming %q\n%s%s", c.name, code, c.want, out, stderr)
			continue
		}
		first, _, _ := strings.Cut(out, "\n")
		t.Logf("%s: exit 1: %s", c.name, first)
	}
}

func editBundleLines(t *testing.T, dir, name string, edit func([]string) []string) {
	t.Helper()
	lines := edit(bundleLines(t, dir, name))
	if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editBundleLine edits line n (1-based) of a bundle file.
func editBundleLine(t *testing.T, dir, name string, n int, edit func(string) string) {
	t.Helper()
	editBundleLines(t, dir, name, func(ls []string) []string { ls[n-1] = edit(ls[n-1]); return ls })
}
