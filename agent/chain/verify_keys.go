package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"slices"
	"strconv"
)

// batchKeys tells stored objects that no manifest lists. Keys are kept as
// 64-bit hashes, 8 bytes a batch: those listed in the store (before the
// manifests are read, so that a batch stored while Verify runs has its
// manifest read too) and those the manifests reference.
type batchKeys struct {
	seed               maphash.Seed
	listed, referenced []uint64
}

func newBatchKeys() batchKeys { return batchKeys{seed: maphash.MakeSeed()} }

func (k *batchKeys) hash(key string) uint64 { return maphash.String(k.seed, key) }

func (k *batchKeys) reference(key string) { k.referenced = append(k.referenced, k.hash(key)) }

// unlisted returns the listed hashes no manifest references, sorted.
func (k *batchKeys) unlisted() []uint64 {
	slices.Sort(k.listed)
	k.listed = slices.Compact(k.listed)
	slices.Sort(k.referenced)
	var out []uint64
	for _, h := range k.listed {
		if _, ok := slices.BinarySearch(k.referenced, h); !ok {
			out = append(out, h)
		}
	}
	return out
}

// listPipelines are the pipelines whose batches List is asked for.
func (v *verifier) listPipelines() []string {
	if len(v.report.Pipelines) == 0 {
		return []string{v.opts.Pipeline}
	}
	return v.report.Pipelines
}

// listBatches hashes the key of every stored batch of the pipelines.
func (v *verifier) listBatches(ctx context.Context) error {
	for _, p := range v.listPipelines() {
		for ref, err := range v.st.List(ctx, p) {
			if err != nil {
				return fmt.Errorf("list batches: %w", err)
			}
			v.keys.listed = append(v.keys.listed, v.keys.hash(ref.Key))
		}
	}
	return nil
}

// unreferenced reports stored batches that no manifest lists. The
// manifests of other pipelines and outputs sharing the store are read
// (their keys only) before a batch is blamed, and only when needed.
func (v *verifier) unreferenced(ctx context.Context) error {
	if len(v.keys.unlisted()) == 0 {
		return nil
	}
	if err := v.otherReferences(ctx); err != nil {
		return err
	}
	left := v.keys.unlisted()
	if len(left) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, p := range v.listPipelines() {
		for ref, err := range v.st.List(ctx, p) {
			if err != nil {
				return fmt.Errorf("list batches: %w", err)
			}
			if _, ok := slices.BinarySearch(left, v.keys.hash(ref.Key)); ok && !seen[ref.Key] {
				seen[ref.Key] = true
				v.report.add(KindUnreferenced, ref.Key, metadataSeqs(ref.Metadata),
					"stored, but no manifest lists it: inserted, or its manifest was removed")
			}
		}
	}
	return nil
}

// otherReferences adds the keys of the manifests Verify did not read:
// other pipelines' and other outputs' in the same store.
func (v *verifier) otherReferences(ctx context.Context) error {
	root := metaRoot("manifests", "")
	for name, err := range v.st.ListMeta(ctx, root) {
		if err != nil {
			return fmt.Errorf("list %s: %w", root, err)
		}
		id, out, ok := parseMetaName("manifests", name)
		if ok && out == v.opts.Output && (v.opts.Pipeline == "" || id.pipeline == v.opts.Pipeline) {
			continue // read already
		}
		raw, err := v.st.GetMeta(ctx, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		var m struct{ Key string }
		if json.Unmarshal(raw, &m) == nil && m.Key != "" {
			v.keys.reference(m.Key)
		}
	}
	return nil
}

// metadataSeqs is the sequence range an object's metadata says it holds.
func metadataSeqs(md map[string]string) []Run {
	first, err1 := strconv.ParseUint(md["auditship_first_seq"], 10, 64)
	last, err2 := strconv.ParseUint(md["auditship_last_seq"], 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return []Run{{first, last}}
}

// replacedBatch is an object that holds none of its manifest's events:
// told apart from a swap once every stream was read.
type replacedBatch struct {
	name, key string // manifest, object
	sha, want string // its bytes' sha256, the manifest's
	holds     []Run  // the seqs it holds
	wantSeqs  []Run
	paired    bool
}

// pairReplaced reports two objects holding each other's bytes as one
// swap, and each other replaced object on its own.
func (v *verifier) pairReplaced() {
	for i := range v.replaced {
		a := &v.replaced[i]
		for j := i + 1; j < len(v.replaced) && !a.paired; j++ {
			b := &v.replaced[j]
			if !b.paired && swapped(a, b) {
				a.paired, b.paired = true, true
				v.report.add(KindSwappedBatches, a.key, append(slices.Clone(a.wantSeqs), b.wantSeqs...),
					"holds the events of %s (seqs %s) and that one holds its own (seqs %s): swapped",
					b.key, runsString(b.wantSeqs), runsString(a.wantSeqs))
			}
		}
		if !a.paired {
			sum := ""
			if a.sha != "" {
				sum = " (sha256 " + a.sha + ")"
			}
			v.report.add(KindReplacedBatch, a.key, a.wantSeqs, "holds seqs %s%s, none of the events of manifest %s",
				runsString(a.holds), sum, a.name)
		}
	}
}

// swapped reports whether two replaced objects hold each other's batch:
// by sha256, or, for bodies whose manifests have none (their leaves stand
// for it), by the sequence numbers each holds.
func swapped(a, b *replacedBatch) bool {
	if a.want == "" || b.want == "" {
		return a.want == b.want && slices.Equal(a.holds, b.wantSeqs) && slices.Equal(b.holds, a.wantSeqs)
	}
	return a.sha == b.want && b.sha == a.want
}
