package chain_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/outputs"
	fileout "github.com/auditship/auditship/outputs/file"
	"github.com/auditship/auditship/outputs/objectstore"
)

// store is a store output under test and a way to tamper with it.
type store interface {
	chaintest.Target
	chain.Reader
}

// stores are the two stores the end-to-end tests run on: the in-memory
// fake and the real file output in a temp directory.
var stores = []struct {
	name string
	open func(t testing.TB) (store, chaintest.Tamper)
}{
	{"mem", func(testing.TB) (store, chaintest.Tamper) { m := chaintest.NewMem(); return m, m }},
	{"file", openFileStore},
}

func openFileStore(t testing.TB) (store, chaintest.Tamper) {
	dir := filepath.Join(t.TempDir(), "archive")
	f := fileout.NewFactory()
	c := f.NewConfig().(*fileout.Config)
	c.Path = dir
	out, err := f.Create(outputs.Settings{Pipeline: "orders", Name: "archive"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(store), chaintest.Dir(dir)
}

// keys is one signing key pair, shared by the tests.
type keys struct {
	signer   note.Signer
	verifier note.Verifier
}

func newKeys(t testing.TB, name string) keys {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return keys{s, v}
}

var start = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// archive is pipeline "orders" of output "archive": stream s1 (4,305
// events in six batches, ndjson, five skipped, four checkpoints), then
// after a lost data_dir stream s2 (1,700 events in two gzip json_array
// batches, two checkpoints, an hour after s1's last).
type archive struct {
	s1, s2 *chaintest.Builder
	now    time.Time // 70 minutes after the newest checkpoint
}

// archiveHooks change how an archive is built.
type archiveHooks struct {
	salt       string
	gapAfter   int // s1: lose 10 seqs after this batch (1-based); 0: none
	unsignedS2 bool
	index      bool // batches get index records (chaintest.Options.Index)
}

func buildArchive(t testing.TB, tgt chaintest.Target, k keys, h archiveHooks) *archive {
	t.Helper()
	ctx := context.Background()
	a := &archive{
		s1: chaintest.New(tgt, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1",
			Signer: k.signer, Start: start, Salt: h.salt, Index: h.index}),
		s2: chaintest.New(tgt, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s2",
			Signer: k.signer, Start: start.Add(4 * time.Hour), Salt: h.salt, Index: h.index,
			Format: objectstore.FormatJSONArray, Compression: objectstore.CompressionGzip}),
	}
	if h.unsignedS2 {
		a.s2 = chaintest.New(tgt, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s2",
			Start: start.Add(4 * time.Hour), Salt: h.salt})
	}
	steps := []func() error{
		func() error { _, err := a.s1.Checkpoint(ctx); return err }, // size 0
		add(ctx, a.s1, 700, h, 1),
		func() error { a.s1.Skip(5, chain.SkipFiltered); return nil },
		add(ctx, a.s1, 900, h, 2),
		func() error { _, err := a.s1.Checkpoint(ctx); return err },
		add(ctx, a.s1, 1000, h, 3),
		add(ctx, a.s1, 300, h, 4),
		add(ctx, a.s1, 805, h, 5),
		func() error { _, err := a.s1.Checkpoint(ctx); return err },
		add(ctx, a.s1, 600, h, 6),
		func() error { _, err := a.s1.Checkpoint(ctx); return err },
		add(ctx, a.s2, 1200, h, 0),
		func() error { _, err := a.s2.Checkpoint(ctx); return err },
		add(ctx, a.s2, 500, h, 0),
		func() error { _, err := a.s2.Checkpoint(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	a.now = a.s2.Last().Add(70 * time.Minute)
	return a
}

func add(ctx context.Context, b *chaintest.Builder, n int, h archiveHooks, batch int) func() error {
	return func() error {
		_, err := b.Add(ctx, n)
		if err == nil && batch != 0 && batch == h.gapAfter {
			b.Lose(10)
		}
		return err
	}
}

// opts are the options of a verify with the public key and a 2h max age.
func (a *archive) opts(k keys) chain.VerifyOptions {
	return chain.VerifyOptions{Output: "archive", Verifier: k.verifier, MaxAge: 2 * time.Hour, Now: a.now}
}

func verify(t testing.TB, st chain.Reader, o chain.VerifyOptions) *chain.Report {
	t.Helper()
	r, err := chain.Verify(context.Background(), st, o)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}
