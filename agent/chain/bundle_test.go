package chain_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/agent/index"
)

// bundleWhere matches the events whose seq is 5 mod 97 (chaintest's
// message is "node <seq mod 97> completed").
const bundleWhere = "message == 'node 5 completed'"

// wantSeqs are the seqs the archive of buildArchive holds that
// bundleWhere matches, per stream: s1 holds 1-700 and 706-4310, s2
// 1-1700.
func wantSeqs() map[string][]uint64 {
	want := map[string][]uint64{}
	for seq := uint64(1); seq <= 4310; seq++ {
		if seq%97 == 5 && (seq <= 700 || seq >= 706) {
			want["s1"] = append(want["s1"], seq)
		}
		if seq%97 == 5 && seq <= 1700 {
			want["s2"] = append(want["s2"], seq)
		}
	}
	return want
}

// exportBundle exports what where matches from st into a new bundle.
func exportBundle(t testing.TB, st chain.Reader, where string) (string, *chain.BundleInfo) {
	t.Helper()
	q, err := index.NewQuery(where, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := chain.CreateBundle(dir, chain.BundleInfo{Output: "archive", Where: where})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := chain.Export(context.Background(), st, chain.ExportOptions{Pipeline: "orders", Output: "archive", Query: q}, w)
	if err != nil {
		w.Abort()
		t.Fatalf("Export: %v", err)
	}
	w.Stats(stats)
	info, err := w.Close(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return dir, info
}

func TestExportBundleRoundTrip(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			a := buildArchive(t, st, k, archiveHooks{})
			dir, info := exportBundle(t, st, bundleWhere)
			want := wantSeqs()
			var lines, ids []string
			for _, stream := range []string{"s1", "s2"} {
				b := map[string]*chaintest.Builder{"s1": a.s1, "s2": a.s2}[stream]
				for _, seq := range want[stream] {
					lines = append(lines, string(b.Line(seq)))
					ids = append(ids, chaintest.ID(stream, seq))
				}
			}
			if diff := cmp.Diff(lines, readLines(t, dir, chain.BundleEvents)); diff != "" {
				t.Errorf("events.ndjson (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(ids, readLines(t, dir, chain.BundleIDs)); diff != "" {
				t.Errorf("ids.txt (-want +got):\n%s", diff)
			}
			if info.Events != len(lines) || info.Streams != 2 || info.Checkpoints != 2 || !info.Signed {
				t.Errorf("bundle.json: %d events, %d streams, %d checkpoints, signed %v; want %d, 2, 2, true",
					info.Events, info.Streams, info.Checkpoints, info.Signed, len(lines))
			}
			r, err := chain.CheckBundle(dir, k.verifier)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) > 0 || r.Events != len(lines) || r.Proven != len(lines) || r.Streams != 2 {
				t.Errorf("CheckBundle: %s\n%v", r.Summary(), r.Problems)
			}
		})
	}
}

// TestExportProofsAgreeWithProve: the proofs of a bundle are those Prove
// builds one by one (same leaf, tree size, path), although Export finds
// the events by reading batches, not by the manifests' _id index.
func TestExportProofsAgreeWithProve(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	buildArchive(t, st, k, archiveHooks{})
	dir, _ := exportBundle(t, st, bundleWhere)
	for i, line := range readLines(t, dir, chain.BundleProofs) {
		var bp chain.BundleProof
		if err := json.Unmarshal([]byte(line), &bp); err != nil {
			t.Fatal(err)
		}
		p, err := chain.Prove(context.Background(), st, "orders", "archive", bp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.LeafIndex != bp.LeafIndex || p.TreeSize != bp.TreeSize || !cmp.Equal(p.AuditPath, bp.AuditPath) || p.Key != bp.Key {
			t.Errorf("proof %d (%s): leaf %d of %d in %s, Prove says %d of %d in %s (or another path)",
				i+1, bp.ID, bp.LeafIndex, bp.TreeSize, bp.Key, p.LeafIndex, p.TreeSize, p.Key)
		}
	}
}

func TestCreateBundleRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chain.CreateBundle(dir, chain.BundleInfo{}); !errors.Is(err, chain.ErrBundleDirNotEmpty) {
		t.Errorf("CreateBundle into a non-empty dir: %v, want ErrBundleDirNotEmpty", err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"x"}) {
		t.Errorf("the dir holds %v after the refusal, want [x]", names)
	}
}

func TestExportAbortLeavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := chain.CreateBundle(dir, chain.BundleInfo{})
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Abort the bundle dir it made: %v, want it gone", err)
	}
}

// TestExportNeedsACoveringCheckpoint: an event newer than the newest
// checkpoint cannot be proven; Export says so instead of leaving it out.
func TestExportNeedsACoveringCheckpoint(t *testing.T) {
	ctx := context.Background()
	st := chaintest.NewMem()
	b := chaintest.New(st, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1"})
	must(t, errOf(b.Add(ctx, 10)))
	must(t, errOf(b.Checkpoint(ctx)))
	must(t, errOf(b.Add(ctx, 10)))
	q, _ := index.NewQuery("", time.Time{}, time.Time{})
	w, err := chain.CreateBundle(filepath.Join(t.TempDir(), "b"), chain.BundleInfo{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	_, err = chain.Export(ctx, st, chain.ExportOptions{Pipeline: "orders", Output: "archive", Query: q}, w)
	if !errors.Is(err, chain.ErrNotCovered) || !strings.Contains(err.Error(), "--until") {
		t.Errorf("Export of events after the newest checkpoint: %v", err)
	}
}

func readLines(t testing.TB, dir, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestExportTimeWindow: --since and --until select by event time,
// [since, until): s1's events 1000-1999 (its times are start + seq ms),
// none of s2 (four hours later).
func TestExportTimeWindow(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[1].open(t)
	a := buildArchive(t, st, k, archiveHooks{})
	q, err := index.NewQuery("", start.Add(1000*time.Millisecond), start.Add(2000*time.Millisecond))
	must(t, err)
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := chain.CreateBundle(dir, chain.BundleInfo{Output: "archive"})
	must(t, err)
	_, err = chain.Export(context.Background(), st, chain.ExportOptions{Pipeline: "orders", Output: "archive", Query: q}, w)
	must(t, err)
	_, err = w.Close(time.Now())
	must(t, err)
	var want []string
	for seq := uint64(1000); seq < 2000; seq++ {
		want = append(want, string(a.s1.Line(seq)))
	}
	if diff := cmp.Diff(want, readLines(t, dir, chain.BundleEvents)); diff != "" {
		t.Errorf("events.ndjson (-want +got):\n%s", diff)
	}
	if r, err := chain.CheckBundle(dir, k.verifier); err != nil || len(r.Problems) > 0 || r.Proven != 1000 {
		t.Errorf("CheckBundle: %v %s", err, r.Summary())
	}
}
