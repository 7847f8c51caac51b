package e2e

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
)

// tamperCtx is one tamper case's fresh copy of the archive.
type tamperCtx struct {
	run *chainRun
	a   chainArchive
	cfg string // a config whose output arch reads the copy
	st  chainState
}

// verify verifies the copy with the run's public key; maxAge "" is 1h,
// so that only a case about freshness sees it.
func (x *tamperCtx) verify(t *testing.T, maxAge string) (int, *chain.Report) {
	t.Helper()
	if maxAge == "" {
		maxAge = "1h"
	}
	return chainVerify(t, x.cfg, x.run.keys.pub, maxAge)
}

// expect verifies the copy and wants exactly these problems.
func (x *tamperCtx) expect(t *testing.T, want ...chain.Problem) {
	t.Helper()
	code, r := x.verify(t, "")
	wantProblems(t, code, r, want...)
}

// mismatchesAt are the checkpoint-mismatch problems of the checkpoints
// at tree size n: what a changed tree there makes them.
func (x *tamperCtx) mismatchesAt(n uint64) []chain.Problem {
	var out []chain.Problem
	for _, c := range x.st.checkpointsAt(n) {
		out = append(out, chain.Problem{Kind: chain.KindCheckpointRoot, Name: c.name})
	}
	return out
}

var chainTamperCases = []struct {
	name   string
	only   string // a store's rig name; "": every store
	tamper func(t *testing.T, x *tamperCtx)
}{
	{"one byte of one event altered", "", tamperByte},
	{"one batch deleted", "", tamperBatchDeleted},
	{"one event deleted", "", tamperEventDeleted},
	{"forged batch with a recomputed manifest", "", tamperForged},
	{"two batches swapped", "", tamperSwapped},
	{"row updated", "mysql", tamperRowUpdated},
	{"newest checkpoint deleted", "", tamperNewestCheckpoint},
	{"history rewritten and signed with a new key", "", tamperRewritten},
	{"checkpoint of another history", "", tamperForkedCheckpoint},
	{"old checkpoint stored as the newest", "", tamperReplayedCheckpoint},
}

// testTampering runs each case on a fresh copy of the run's archive, in
// parallel.
func testTampering(t *testing.T, run *chainRun) {
	for _, tc := range chainTamperCases {
		if tc.only != "" && tc.only != run.rig.name {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cp := run.rig.copy(t)
			cfg := config{dataDir: t.TempDir(), input: fileInput(t.TempDir() + "/app.log*"),
				outputs: []string{cp.output(run.keys.attrs())}}.write(t)
			x := &tamperCtx{run: run, a: cp.archive, cfg: cfg, st: run.state}
			if code, r := x.verify(t, ""); code != 0 {
				t.Fatalf("the fresh copy does not verify: exit %d\n%s", code, problemList(r))
			}
			tc.tamper(t, x)
		})
	}
}

// tamperByte: one byte of one event of a middle batch altered (the
// store's own sha256 and count metadata made to match).
func tamperByte(t *testing.T, x *tamperCtx) {
	b := x.st.manifests[x.st.middle(t)].m
	lines := x.a.lines(t, b.Key)
	j := len(lines) / 2
	seq := lineSeq(t, lines[j])
	lines[j] = alterByte(t, lines[j])
	x.a.setLines(t, b.Key, lines)
	x.expect(t, chain.Problem{Kind: chain.KindAlteredEvent, Name: b.Key, Seqs: seqRun(seq)})
}

// tamperBatchDeleted: a middle batch removed. In an object store or a
// directory its manifest stays: a missing batch. In mysql the manifest is
// the batch's own row: the batch and its manifest gone are a break in the
// manifest chain and a gap of exactly its sequence numbers, and the
// checkpoints at its end no longer fall on a batch boundary.
func tamperBatchDeleted(t *testing.T, x *tamperCtx) {
	i := x.st.middle(t)
	b, next := x.st.manifests[i].m, x.st.manifests[i+1]
	x.a.removeBatch(t, b.Key)
	if !x.run.rig.inline {
		x.expect(t, chain.Problem{Kind: chain.KindMissingBatch, Name: b.Key, Seqs: b.Seqs})
		return
	}
	x.expect(t, append(x.mismatchesAt(b.SizeAfter),
		chain.Problem{Kind: chain.KindManifestChain, Name: next.name, Seqs: next.m.Seqs},
		chain.Problem{Kind: chain.KindSeqGap, Name: next.name, Seqs: []chain.Run{span(b)}})...)
}

// tamperEventDeleted: one event removed from a middle batch (mysql: its
// row deleted; elsewhere the line removed and the object re-uploaded with
// sha256 metadata of its new bytes).
func tamperEventDeleted(t *testing.T, x *tamperCtx) {
	b := x.st.manifests[x.st.middle(t)].m
	lines := x.a.lines(t, b.Key)
	j := len(lines) / 2
	seq := lineSeq(t, lines[j])
	x.a.setLines(t, b.Key, append(lines[:j:j], lines[j+1:]...))
	x.expect(t, chain.Problem{Kind: chain.KindRemovedEvent, Name: b.Key, Seqs: seqRun(seq)})
}

// tamperForged: a middle batch rewritten (one byte of one event) and its
// manifest recomputed to match, as a forger without the signing key
// would: the batch is consistent with its manifest, but the next
// manifest's prev no longer names it, the tree the next one was built on
// is not the stored one, and the checkpoints at its end do not match.
func tamperForged(t *testing.T, x *tamperCtx) {
	i := x.st.middle(t)
	b, next := x.st.manifests[i], x.st.manifests[i+1]
	forgeBatch(t, x.a, x.st, i, func(lines [][]byte) [][]byte {
		lines[len(lines)/2] = alterByte(t, lines[len(lines)/2])
		return lines
	})
	x.expect(t, append(x.mismatchesAt(b.m.SizeAfter),
		chain.Problem{Kind: chain.KindManifestChain, Name: next.name, Seqs: next.m.Seqs},
		chain.Problem{Kind: chain.KindTreeMismatch, Name: next.name, Seqs: next.m.Seqs})...)
}

// tamperSwapped: two consecutive batches swapped (objects and files: the
// objects, metadata and all; mysql: what their auditship_batches rows say
// they hold, so that each reads back the other's rows).
func tamperSwapped(t *testing.T, x *tamperCtx) {
	i := x.st.middle(t)
	b1, b2 := x.st.manifests[i].m, x.st.manifests[i+1].m
	x.a.swapBatches(t, b1.Key, b2.Key)
	swapped := chain.Problem{Kind: chain.KindSwappedBatches, Name: b1.Key, Seqs: append(append([]chain.Run{}, b1.Seqs...), b2.Seqs...)}
	code, r := x.verify(t, "")
	if b1.SHA256 != "" || b2.SHA256 != "" {
		wantProblems(t, code, r, swapped)
		return
	}
	// Without a sha256 in the manifests (uncompressed ndjson in file and
	// mysql: the leaves stand for the bytes) verify cannot pair the two
	// by their bytes: each is reported replaced, holding the other's
	// seqs. Either report names both batches and their seqs.
	if len(r.Problems) == 1 {
		wantProblems(t, code, r, swapped)
		return
	}
	t.Logf("swap reported as two replaced batches (no sha256 in the manifests to pair them by)")
	wantProblems(t, code, r, chain.Problem{Kind: chain.KindReplacedBatch, Name: b1.Key, Seqs: b1.Seqs},
		chain.Problem{Kind: chain.KindReplacedBatch, Name: b2.Key, Seqs: b2.Seqs})
}

// tamperRowUpdated (mysql): a typed column and the entry of one row
// changed together, so the row is consistent in itself.
func tamperRowUpdated(t *testing.T, x *tamperCtx) {
	a := x.a.(myArchive)
	for _, nm := range x.st.manifests[x.st.middle(t):] {
		for _, l := range a.lines(t, nm.m.Key) {
			if id := identity(l); id != "" {
				seq := lineSeq(t, l)
				a.updateRow(t, nm.m.Key, seq, "identity", "identity", id, "mallory")
				x.expect(t, chain.Problem{Kind: chain.KindAlteredEvent, Name: nm.m.Key, Seqs: seqRun(seq)})
				return
			}
		}
	}
	t.Fatal("no stored event with an identity")
}

// tamperNewestCheckpoint: the newest checkpoint deleted. With --max-age
// between the ages of the two newest, the intact archive passes and the
// copy is reported stale, naming the checkpoint now newest: the tail
// after it may have been cut.
func tamperNewestCheckpoint(t *testing.T, x *tamperCtx) {
	cps := x.st.checkpoints
	newest, before := cps[len(cps)-1], cps[len(cps)-2]
	gap := newest.c.Time.Sub(before.c.Time)
	maxAge := time.Since(before.c.Time) - gap/2
	t.Logf("the two newest checkpoints are %v apart; --max-age %v", gap, maxAge)
	if gap >= 600*time.Millisecond { // room for verify to start within gap/2
		if code, r := chainVerify(t, x.run.cfg, x.run.keys.pub, maxAge.String()); code != 0 {
			t.Errorf("intact archive with --max-age %v: exit %d\n%s", maxAge, code, problemList(r))
		}
	} else {
		t.Logf("too close to tell apart by age: the intact archive is not verified with --max-age")
	}
	x.a.removeMeta(t, newest.name)
	code, r := x.verify(t, maxAge.String())
	wantProblems(t, code, r, chain.Problem{Kind: chain.KindStale, Name: before.name})
}

// tamperRewritten: the whole history rewritten (one event altered, every
// manifest and checkpoint recomputed) and signed with a new key of the
// same name. Consistent in itself, it verifies against the new key; the
// original public key rejects every checkpoint.
func tamperRewritten(t *testing.T, x *tamperCtx) {
	other := chainKeygen(t, "e2e-chain")
	rewriteHistory(t, x.a, x.st, other.signer(t))
	if code, r := chainVerify(t, x.cfg, other.pub, "1h"); code != 0 {
		t.Fatalf("the rewritten history against its own key: exit %d\n%s", code, problemList(r))
	}
	var want []chain.Problem
	for _, c := range x.st.checkpoints {
		want = append(want, chain.Problem{Kind: chain.KindBadSignature, Name: c.name})
	}
	x.expect(t, want...)
}

// tamperForkedCheckpoint: the newest checkpoint replaced by one signed
// with the real key (an insider) whose root is another history's at the
// same size: it does not extend the checkpoints before it.
func tamperForkedCheckpoint(t *testing.T, x *tamperCtx) {
	newest := x.st.checkpoints[len(x.st.checkpoints)-1]
	c := newest.c
	root := sha256.Sum256([]byte("another history"))
	c.Root = root[:]
	raw, err := c.Sign(x.run.keys.signer(t))
	if err != nil {
		t.Fatal(err)
	}
	x.a.putMeta(t, newest.name, raw)
	x.expect(t, chain.Problem{Kind: chain.KindCheckpointRoot, Name: newest.name})
}

// tamperReplayedCheckpoint: an old checkpoint, validly signed, stored
// again under a name newer than the newest (no key needed): its tree size
// goes back, so it does not extend the checkpoint before it.
func tamperReplayedCheckpoint(t *testing.T, x *tamperCtx) {
	cps := x.st.checkpoints
	newest := cps[len(cps)-1]
	for _, old := range cps[:len(cps)-1] {
		if old.c.Prev == "" || old.c.Size >= newest.c.Size {
			continue
		}
		name := chain.CheckpointName(chainPipeline, chainOutput, x.st.stream(), newest.c.Time.Add(time.Second))
		x.a.putMeta(t, name, old.raw)
		x.expect(t, chain.Problem{Kind: chain.KindCheckpointChain, Name: name})
		return
	}
	t.Fatal("no checkpoint with a prev and smaller than the newest to replay")
}
