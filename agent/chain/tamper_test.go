package chain_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/agent/index"
)

// s1's batches hold seqs 1-700, 706-1605, 1606-2605, 2606-2905,
// 2906-3710, 3711-4310 (701-705 skipped); its checkpoints are at tree
// sizes 0, 1600, 3705 and 4305.

type tamperCase struct {
	name   string
	hooks  archiveHooks
	tamper func(t *testing.T, a *archive, tam chaintest.Tamper, k keys)
	// want lists the problems expected (Message not compared); all of
	// them unless some is set, then at least these.
	want func(a *archive) []chain.Problem
	some bool
}

var tamperCases = []tamperCase{{
	name: "one byte of one event altered",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Key, func(b []byte) []byte {
			s, _ := lineOf(t, b, 2000)
			i := s + bytes.Index(b[s:], []byte("completed"))
			b[i+5] = 'f'
			return b
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindAlteredEvent, Name: a.s1.Batches[2].Key, Seqs: runs(2000, 2000)}}
	},
}, {
	name: "one batch deleted",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s1.Batches[3].Key))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindMissingBatch, Name: a.s1.Batches[3].Key, Seqs: runs(2606, 2905)}}
	},
}, {
	name: "one event line removed, manifest untouched",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Key, func(b []byte) []byte {
			s, e := lineOf(t, b, 2000)
			return append(b[:s:s], b[e:]...)
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindRemovedEvent, Name: a.s1.Batches[2].Key, Seqs: runs(2000, 2000)}}
	},
}, {
	name: "forged batch with a recomputed manifest mid-chain",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, a.s1.Forge(tam, 1, func(seq uint64, l []byte) []byte {
			if seq == 1000 {
				return bytes.Replace(l, []byte("completed"), []byte("cancelled"), 1)
			}
			return l
		}))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindManifestChain, Name: a.s1.Batches[2].Manifest, Seqs: runs(1606, 2605)},
			{Kind: chain.KindCheckpointRoot, Name: a.s1.Checkpoints[1]},
		}
	},
	some: true,
}, {
	name: "two batches' bodies swapped",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		k2, k3 := a.s1.Batches[2].Key, a.s1.Batches[3].Key
		b2, b3 := read(t, tam, k2), read(t, tam, k3)
		must(t, tam.Replace(k2, b3))
		must(t, tam.Replace(k3, b2))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindSwappedBatches, Name: a.s1.Batches[2].Key,
			Seqs: []chain.Run{{1606, 2605}, {2606, 2905}}}}
	},
}, {
	name: "newest checkpoint deleted",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s2.Checkpoints[1]))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindStale, Name: a.s2.Checkpoints[0]}}
	},
}, {
	name: "checkpoint that does not extend the previous one",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, k keys) {
		resign(t, tam, a.s1.Checkpoints[3], k, func(c *chain.Checkpoint) {
			r := sha256.Sum256([]byte("another history"))
			c.Root = r[:]
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindCheckpointRoot, Name: a.s1.Checkpoints[3]}}
	},
}, {
	name: "checkpoint whose size goes back",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, k keys) {
		resign(t, tam, a.s1.Checkpoints[3], k, func(c *chain.Checkpoint) { c.Size = 1 })
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindCheckpointChain, Name: a.s1.Checkpoints[3]},
			{Kind: chain.KindCheckpointRoot, Name: a.s1.Checkpoints[3]},
		}
	},
}, {
	name:  "sequence gap",
	hooks: archiveHooks{gapAfter: 3},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindSeqGap, Name: a.s1.Batches[3].Manifest, Seqs: runs(2606, 2615)}}
	},
}, {
	name: "event inserted",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Key, func(b []byte) []byte {
			_, e := lineOf(t, b, 2000)
			return append(b[:e:e], append(append(a.s1.Line(99999), '\n'), b[e:]...)...)
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindInsertedEvent, Name: a.s1.Batches[2].Key, Seqs: runs(99999, 99999)}}
	},
}, {
	name: "events reordered",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Key, func(b []byte) []byte {
			s, e := lineOf(t, b, 2000)
			_, e2 := lineOf(t, b, 2001)
			first := bytes.Clone(b[s:e])
			return append(append(append(b[:s:s], b[e:e2]...), first...), b[e2:]...)
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindReorderedEvents, Name: a.s1.Batches[2].Key, Seqs: runs(2000, 2001)}}
	},
}, {
	name: "batch no manifest lists",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Replace("orders/s1-extra.ndjson", read(t, tam, a.s1.Batches[0].Key)))
	},
	want: func(*archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindUnreferenced, Name: "orders/s1-extra.ndjson"}}
	},
}, {
	name: "stored bytes changed, events intact",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Key, func(b []byte) []byte { return append(b, '\n') })
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindSHA256, Name: a.s1.Batches[2].Key}}
	},
}, {
	name: "tail batch and manifest removed",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s1.Batches[5].Key))
		must(t, tam.Remove(a.s1.Batches[5].Manifest))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindTruncated, Name: a.s1.Checkpoints[3]}}
	},
}, {
	name: "manifest removed mid-chain",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s1.Batches[3].Manifest))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindManifestChain, Name: a.s1.Batches[4].Manifest, Seqs: runs(2906, 3710)},
			{Kind: chain.KindSeqGap, Name: a.s1.Batches[4].Manifest, Seqs: runs(2606, 2905)},
			{Kind: chain.KindUnreferenced, Name: a.s1.Batches[3].Key},
		}
	},
	some: true,
}, {
	name:  "index records intact",
	hooks: archiveHooks{index: true},
	want:  func(*archive) []chain.Problem { return nil },
}, {
	name:  "index record altered",
	hooks: archiveHooks{index: true},
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Batches[2].Index, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"wi-40"`), []byte(`"wi-04"`), 1)
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindIndex, Name: a.s1.Batches[2].Index, Seqs: runs(1606, 2605)}}
	},
}, {
	name:  "index record removed",
	hooks: archiveHooks{index: true},
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s2.Batches[1].Index))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindIndex, Name: a.s2.Batches[1].Index, Seqs: runs(1201, 1700)}}
	},
}, {
	name:  "index record lying, its manifest re-hashed",
	hooks: archiveHooks{index: true},
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		// wi-40 (seqs 2000-2049) dropped from the record: a replay of it
		// would skip the batch.
		lieInIndex(t, a, tam, func(r *index.Record) {
			f := r.Field("workflowInstanceId")
			f.Values = slices.DeleteFunc(f.Values, func(v string) bool { return v == "wi-40" })
			f.N = len(f.Values)
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindIndex, Name: a.s1.Batches[2].Index, Seqs: runs(1606, 2605)},
			{Kind: chain.KindManifestChain, Name: a.s1.Batches[3].Manifest, Seqs: runs(2606, 2905)},
		}
	},
	some: true,
}, {
	name:  "index record with a narrowed time range, its manifest re-hashed",
	hooks: archiveHooks{index: true},
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		lieInIndex(t, a, tam, func(r *index.Record) { r.MaxTime = r.MaxTime.Add(-time.Second) })
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindIndex, Name: a.s1.Batches[2].Index, Seqs: runs(1606, 2605)}}
	},
	some: true,
}, {
	name: "checkpoint removed mid-chain",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		must(t, tam.Remove(a.s1.Checkpoints[2]))
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{{Kind: chain.KindCheckpointChain, Name: a.s1.Checkpoints[3]}}
	},
}, {
	name: "checkpoint badly signed",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		editBody(t, tam, a.s1.Checkpoints[1], func(b []byte) []byte {
			b[len(b)-5] ^= 1 // inside the base64 signature
			return b
		})
	},
	want: func(a *archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindBadSignature, Name: a.s1.Checkpoints[1]},
			// prev is the digest of the stored bytes, signature included
			{Kind: chain.KindCheckpointChain, Name: a.s1.Checkpoints[2]},
		}
	},
}, {
	name: "no checkpoint at all",
	tamper: func(t *testing.T, a *archive, tam chaintest.Tamper, _ keys) {
		for _, c := range append(a.s1.Checkpoints, a.s2.Checkpoints...) {
			must(t, tam.Remove(c))
		}
	},
	want: func(*archive) []chain.Problem {
		return []chain.Problem{
			{Kind: chain.KindNoCheckpoint, Name: chain.CheckpointDir("orders", "archive", "s1")},
			{Kind: chain.KindNoCheckpoint, Name: chain.CheckpointDir("orders", "archive", "s2")},
		}
	},
}}

func TestVerifyFindsTampering(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		for _, tc := range tamperCases {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				st, tam := s.open(t)
				a := buildArchive(t, st, k, tc.hooks)
				if tc.tamper != nil {
					tc.tamper(t, a, tam, k)
				}
				r := verify(t, st, a.opts(k))
				checkProblems(t, r, tc.want(a), tc.some)
			})
		}
	}
}

func TestVerifyHistoryRewrittenWithAnotherKey(t *testing.T) {
	k := newKeys(t, "auditship-test")
	other := newKeys(t, "auditship-test") // the same name, another key
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			a := buildArchive(t, st, other, archiveHooks{salt: " (rewritten)"})
			if r := verify(t, st, a.opts(other)); len(r.Problems) > 0 {
				t.Fatalf("the rewritten history is consistent in itself; problems\n%s", problems(r))
			}
			r := verify(t, st, a.opts(k))
			var want []chain.Problem
			for _, c := range append(a.s1.Checkpoints, a.s2.Checkpoints...) {
				want = append(want, chain.Problem{Kind: chain.KindBadSignature, Name: c})
			}
			checkProblems(t, r, want, false)
		})
	}
}

func checkProblems(t *testing.T, r *chain.Report, want []chain.Problem, some bool) {
	t.Helper()
	got := r.Problems
	if some {
		got = nil
		for _, w := range want {
			for _, p := range r.Problems {
				if p.Kind == w.Kind && p.Name == w.Name {
					got = append(got, p)
					break
				}
			}
		}
	}
	sortProblems := cmpopts.SortSlices(func(a, b chain.Problem) bool { return a.Kind+a.Name < b.Kind+b.Name })
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(chain.Problem{}, "Message"), sortProblems, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("problems (-want +got):\n%s\nall found:\n%s", diff, problems(r))
	}
	for _, p := range r.Problems {
		if p.Message == "" {
			t.Errorf("problem %s %s has no message", p.Kind, p.Name)
		}
	}
}

// lieInIndex rewrites the index record of s1's third batch (seqs
// 1606-2605) with edit and makes its manifest hold the new record's
// sha256, which breaks the manifest chain after it.
func lieInIndex(t *testing.T, a *archive, tam chaintest.Tamper, edit func(*index.Record)) {
	t.Helper()
	r, err := index.Parse(read(t, tam, a.s1.Batches[2].Index))
	must(t, err)
	edit(r)
	raw := r.Marshal()
	must(t, tam.Replace(a.s1.Batches[2].Index, raw))
	m, err := chain.ParseManifest(read(t, tam, a.s1.Batches[2].Manifest))
	must(t, err)
	m.Index = chain.Digest(raw)
	must(t, tam.Replace(a.s1.Batches[2].Manifest, m.Marshal()))
}

func runs(from, to uint64) []chain.Run { return []chain.Run{{from, to}} }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, tam chaintest.Tamper, name string) []byte {
	t.Helper()
	b, err := tam.Read(name)
	must(t, err)
	return b
}

func editBody(t *testing.T, tam chaintest.Tamper, name string, edit func([]byte) []byte) {
	t.Helper()
	must(t, tam.Replace(name, edit(read(t, tam, name))))
}

// lineOf finds the line of seq in an ndjson body: [start, end) with its
// newline.
func lineOf(t *testing.T, body []byte, seq uint64) (int, int) {
	t.Helper()
	i := bytes.Index(body, fmt.Appendf(nil, `"_seq":%d,`, seq))
	if i < 0 {
		t.Fatalf("no line of seq %d", seq)
	}
	s := bytes.LastIndexByte(body[:i], '\n') + 1
	return s, i + bytes.IndexByte(body[i:], '\n') + 1
}

// resign replaces a checkpoint with an edited one signed with k.
func resign(t *testing.T, tam chaintest.Tamper, name string, k keys, edit func(*chain.Checkpoint)) {
	t.Helper()
	c, _, err := chain.OpenCheckpoint(read(t, tam, name), k.verifier)
	must(t, err)
	edit(&c)
	raw, err := c.Sign(k.signer)
	must(t, err)
	must(t, tam.Replace(name, raw))
}
