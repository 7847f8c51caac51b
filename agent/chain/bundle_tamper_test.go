package chain_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
)

// TestCheckBundleTamper alters one thing of a good bundle at a time:
// CheckBundle names each with its own problem kind (besides the file
// digests of bundle.json, which every edit of a listed file breaks).
func TestCheckBundleTamper(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	buildArchive(t, st, k, archiveHooks{})
	good, _ := exportBundle(t, st, bundleWhere)
	s1cp := filepath.Join(chain.BundleCheckpoints, dirNames(t, filepath.Join(good, chain.BundleCheckpoints))[0])
	tests := []struct {
		name string
		edit func(t *testing.T, dir string)
		want []chain.BundleProblemKind
	}{
		{"one byte of an event line", func(t *testing.T, dir string) {
			editLine(t, dir, chain.BundleEvents, 3, func(l string) string { return strings.Replace(l, "completed", "completes", 1) })
		}, kinds(chain.BundleEventAltered)},
		{"one hash of an audit path", func(t *testing.T, dir string) {
			editProof(t, dir, 2, func(p *chain.BundleProof) { p.AuditPath[1][5] ^= 1 })
		}, kinds(chain.BundleProofAltered)},
		{"a proof's leaf hash", func(t *testing.T, dir string) {
			editProof(t, dir, 2, func(p *chain.BundleProof) { p.LeafHash[0] ^= 1 })
		}, kinds(chain.BundleProofAltered)},
		{"a proof's tree size", func(t *testing.T, dir string) {
			editProof(t, dir, 4, func(p *chain.BundleProof) { p.TreeSize-- })
		}, kinds(chain.BundleProofAltered)},
		{"the last proof removed", func(t *testing.T, dir string) {
			editLines(t, dir, chain.BundleProofs, func(ls []string) []string { return ls[:len(ls)-1] })
		}, kinds(chain.BundleProofMissing)},
		{"the checkpoint's root", func(t *testing.T, dir string) {
			editLine(t, dir, s1cp, 3, func(l string) string { return "A" + l[1:] })
		}, kinds(chain.BundleCheckpointAltered)},
		{"the checkpoint's signature", func(t *testing.T, dir string) {
			b := readFile(t, dir, s1cp)
			writeFile(t, dir, s1cp, flipSignature(t, b))
		}, kinds(chain.BundleCheckpointAltered)},
		{"the checkpoint removed", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, s1cp)))
		}, kinds(chain.BundleCheckpointMissing, chain.BundleCountMismatch)},
		{"an event and its proof removed, its _id kept in ids.txt", func(t *testing.T, dir string) {
			drop := func(ls []string) []string { return slices.Delete(ls, 4, 5) }
			editLines(t, dir, chain.BundleEvents, drop)
			editLines(t, dir, chain.BundleProofs, drop)
		}, kinds(chain.BundleEventMissing, chain.BundleCountMismatch)},
		{"an event line removed, its proof and _id kept", func(t *testing.T, dir string) {
			editLines(t, dir, chain.BundleEvents, func(ls []string) []string { return slices.Delete(ls, 4, 5) })
		}, kinds(chain.BundleEventAltered, chain.BundleEventMissing, chain.BundleCountMismatch)},
		{"an _id removed from ids.txt", func(t *testing.T, dir string) {
			editLines(t, dir, chain.BundleIDs, func(ls []string) []string { return slices.Delete(ls, 7, 8) })
		}, kinds(chain.BundleEventUnlisted)},
		{"the last event twice", func(t *testing.T, dir string) {
			for _, f := range []string{chain.BundleEvents, chain.BundleProofs, chain.BundleIDs} {
				editLines(t, dir, f, func(ls []string) []string { return append(ls, ls[len(ls)-1]) })
			}
		}, kinds(chain.BundleDuplicate, chain.BundleCountMismatch)},
		{"two events swapped", func(t *testing.T, dir string) {
			for _, f := range []string{chain.BundleEvents, chain.BundleProofs, chain.BundleIDs} {
				editLines(t, dir, f, func(ls []string) []string { ls[0], ls[1] = ls[1], ls[0]; return ls })
			}
		}, kinds(chain.BundleOutOfOrder)},
		{"README.txt", func(t *testing.T, dir string) {
			writeFile(t, dir, chain.BundleReadme, "all fine, trust me\n")
		}, kinds(chain.BundleFileAltered)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyBundle(t, good)
			tt.edit(t, dir)
			r, err := chain.CheckBundle(dir, k.verifier)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, problemKinds(r, tt.want)); diff != "" {
				t.Errorf("problem kinds (-want +got):\n%s\n%s", diff, problemLines(r))
			}
			if !strings.HasPrefix(r.Summary(), "bundle NOT intact") {
				t.Errorf("summary %q", r.Summary())
			}
		})
	}
}

// TestCheckBundleUnsigned: a bundle from an archive without a signing
// key says so, and a check with a public key fails on it.
func TestCheckBundleUnsigned(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	buildArchive(t, st, k, archiveHooks{unsignedS2: true})
	dir, info := exportBundle(t, st, bundleWhere)
	if info.Signed {
		t.Error("bundle.json says signed, but s2's checkpoint is not")
	}
	r, err := chain.CheckBundle(dir, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if got := problemKinds(r, nil); !slices.Equal(got, kinds(chain.BundleCheckpointUnsigned)) || r.Proven != len(wantSeqs()["s1"]) {
		t.Errorf("with a public key: %s\n%s", r.Summary(), problemLines(r))
	}
	if r, _ := chain.CheckBundle(dir, nil); len(r.Problems) > 0 || r.Proven != r.Events {
		t.Errorf("without a key: %s\n%s", r.Summary(), problemLines(r))
	}
	if !strings.Contains(readFile(t, dir, chain.BundleReadme), "not signed") {
		t.Error("README.txt does not say the checkpoints are not signed")
	}
}

func kinds(k ...chain.BundleProblemKind) []chain.BundleProblemKind {
	slices.Sort(k)
	return k
}

// problemKinds are the distinct kinds reported, leaving out file digest
// problems unless want has them.
func problemKinds(r *chain.BundleReport, want []chain.BundleProblemKind) []chain.BundleProblemKind {
	set := map[chain.BundleProblemKind]bool{}
	for _, p := range r.Problems {
		if p.Kind != chain.BundleFileAltered || slices.Contains(want, chain.BundleFileAltered) {
			set[p.Kind] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func problemLines(r *chain.BundleReport) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func copyBundle(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "bundle")
	must(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	must(t, err)
	return string(b)
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
}

func editLines(t *testing.T, dir, name string, edit func([]string) []string) {
	t.Helper()
	writeFile(t, dir, name, strings.Join(edit(readLines(t, dir, name)), "\n")+"\n")
}

// editLine edits line n (1-based) of a bundle file.
func editLine(t *testing.T, dir, name string, n int, edit func(string) string) {
	t.Helper()
	editLines(t, dir, name, func(ls []string) []string { ls[n-1] = edit(ls[n-1]); return ls })
}

func editProof(t *testing.T, dir string, n int, edit func(*chain.BundleProof)) {
	t.Helper()
	editLine(t, dir, chain.BundleProofs, n, func(l string) string {
		var p chain.BundleProof
		must(t, json.Unmarshal([]byte(l), &p))
		edit(&p)
		b, err := json.Marshal(p)
		must(t, err)
		return string(b)
	})
}
