package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
)

// storeWithoutDigest stores n events the way the sender does for an
// output whose leaves stand for the body's sha256 (file, mysql).
func storeWithoutDigest(t *testing.T, st *chaintest.Mem, l *chain.Log, b *chaintest.Builder, first uint64, n int) string {
	t.Helper()
	return storeBatch(t, context.Background(), st, l, b, first, n, false)
}

// TestBodyWithoutDigestIsExactlyItsLines: without a sha256 in the
// manifest, verify still notices a byte added to the body that no leaf
// covers (an empty line, which the line reader would skip).
func TestBodyWithoutDigestIsExactlyItsLines(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t, "auditship-test")
	st := chaintest.NewMem()
	l, err := chain.OpenLog(t.TempDir(), "orders", "archive", "s1")
	must(t, err)
	lines := chaintest.New(nil, chaintest.Options{Stream: "s1"})
	key := storeWithoutDigest(t, st, l, lines, 1, 300)
	storeWithoutDigest(t, st, l, lines, 301, 300)
	name, data, err := l.Checkpoint(start, k.signer)
	must(t, err)
	must(t, st.PutMeta(ctx, name, data))
	opts := chain.VerifyOptions{Output: "archive", Verifier: k.verifier, MaxAge: time.Hour, Now: start}
	if r := verify(t, st, opts); len(r.Problems) > 0 || r.Events != 600 {
		t.Fatalf("intact: %d events, problems\n%s", r.Events, problems(r))
	}
	body, err := st.Read(key)
	must(t, err)
	must(t, st.Replace(key, append(body, '\n')))
	r := verify(t, st, opts)
	if len(r.Problems) != 1 || r.Problems[0].Kind != chain.KindSHA256 || r.Problems[0].Name != key {
		t.Fatalf("an empty line added: want one %s problem naming %s, got\n%s", chain.KindSHA256, key, problems(r))
	}
}

// TestSwapWithoutDigestIsOneSwap: two batches whose manifests carry no
// sha256 and whose bodies were exchanged are reported as one swap, paired
// by the sequence numbers each holds.
func TestSwapWithoutDigestIsOneSwap(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t, "auditship-test")
	st := chaintest.NewMem()
	l, err := chain.OpenLog(t.TempDir(), "orders", "archive", "s1")
	must(t, err)
	lines := chaintest.New(nil, chaintest.Options{Stream: "s1"})
	a := storeWithoutDigest(t, st, l, lines, 1, 200)
	b := storeWithoutDigest(t, st, l, lines, 201, 200)
	name, data, err := l.Checkpoint(start, k.signer)
	must(t, err)
	must(t, st.PutMeta(ctx, name, data))
	ba, err := st.Read(a)
	must(t, err)
	bb, err := st.Read(b)
	must(t, err)
	must(t, st.Replace(a, bb))
	must(t, st.Replace(b, ba))
	r := verify(t, st, chain.VerifyOptions{Output: "archive", Verifier: k.verifier, MaxAge: time.Hour, Now: start})
	var swaps int
	for _, p := range r.Problems {
		if p.Kind == chain.KindSwappedBatches {
			swaps++
		}
		if p.Kind == chain.KindReplacedBatch {
			t.Errorf("reported as replaced: %s", p)
		}
	}
	if swaps != 1 {
		t.Errorf("want one %s, got\n%s", chain.KindSwappedBatches, problems(r))
	}
}
