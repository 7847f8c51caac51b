package chain_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/internal/event"
)

// TestVerifyWhatTheLogWrites: an archive written through the sender's
// own chain.Log (seal, store, commit, skips, checkpoints) verifies intact
// and proves, so the writer and the verifier agree on every field.
func TestVerifyWhatTheLogWrites(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t, "auditship-test")
	st := chaintest.NewMem()
	l, err := chain.OpenLog(t.TempDir(), "orders", "archive", "s1")
	must(t, err)
	lines := chaintest.New(nil, chaintest.Options{Stream: "s1"}) // renders the event lines only
	now := start
	seq := uint64(1)
	for i, n := range []int{700, 900, 1000, 450} {
		if i == 2 {
			l.Skip(seq, seq+2, chain.SkipFiltered, "", 0)
			seq += 3
		}
		storeViaLog(t, ctx, st, l, lines, seq, n)
		seq += uint64(n)
		name, data, err := l.Checkpoint(now, k.signer)
		must(t, err)
		must(t, st.PutMeta(ctx, name, data))
		must(t, l.Checkpointed(data, now))
		now = now.Add(time.Hour)
	}
	r := verify(t, st, chain.VerifyOptions{Output: "archive", Verifier: k.verifier, MaxAge: 2 * time.Hour, Now: now})
	if len(r.Problems) > 0 || r.Events != 3050 || r.Checkpoints != 4 {
		t.Fatalf("%d events, %d checkpoints; problems\n%s", r.Events, r.Checkpoints, problems(r))
	}
	p, err := chain.Prove(ctx, st, "orders", "archive", chaintest.ID("s1", 2500))
	must(t, err)
	must(t, chain.CheckProof(p, k.verifier))
}

func storeViaLog(t *testing.T, ctx context.Context, st *chaintest.Mem, l *chain.Log, b *chaintest.Builder, first uint64, n int) {
	t.Helper()
	storeBatch(t, ctx, st, l, b, first, n, true)
}

// storeBatch stores n events the way the sender does: body, manifest
// beside it, commit. digest: the manifest carries the body's sha256 (else
// its leaves stand for it, as for file and mysql outputs). It returns the
// batch's key.
func storeBatch(t *testing.T, ctx context.Context, st *chaintest.Mem, l *chain.Log, b *chaintest.Builder, first uint64, n int, digest bool) string {
	t.Helper()
	lv := &chain.Leaves{}
	var body bytes.Buffer
	for s := first; s < first+uint64(n); s++ {
		line := b.Line(s)
		lv.Add(line, []byte(chaintest.ID("s1", s)), []byte("in"), []byte("src"), int64(s)*160, int64(s+1)*160)
		body.Write(line)
		body.WriteByte('\n')
	}
	batch := chain.Batch{ID: fmt.Sprintf("s1-%020d", first), Key: fmt.Sprintf("orders/s1-%020d.ndjson", first),
		Format: "ndjson", Compression: "none", First: first,
		Last: first + uint64(n) - 1, Count: n, Seqs: []chain.Run{{first, first + uint64(n) - 1}}}
	if digest {
		sum := sha256.Sum256(body.Bytes())
		batch.SHA256 = hex.EncodeToString(sum[:])
	}
	size := l.Size()
	manifest := l.Seal(batch, lv)
	must(t, st.Write(ctx, &event.Batch{Key: batch.Key, Body: bytes.NewReader(body.Bytes()), Size: int64(body.Len())}))
	must(t, st.PutMeta(ctx, chain.ManifestName("orders", "archive", "s1", size), manifest))
	must(t, l.Commit(manifest))
	return batch.Key
}
