package chain_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
)

func TestVerifyIntact(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			a := buildArchive(t, st, k, archiveHooks{})
			r := verify(t, st, a.opts(k))
			if len(r.Problems) > 0 {
				t.Fatalf("intact archive: problems\n%s", problems(r))
			}
			want := chain.Report{Output: "archive", Pipelines: []string{"orders"}, Streams: 2, Batches: 8,
				Events: 6005, Checkpoints: 6, Newest: a.s2.Last(), Signed: true, SignaturesChecked: true,
				Problems: []chain.Problem{}}
			if diff := cmp.Diff(want, *r, cmpopts.IgnoreFields(chain.Report{}, "Bytes")); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if got := r.Summary(); !strings.HasPrefix(got, "intact: ") || !strings.Contains(got, "signed by the public key") {
				t.Errorf("summary %q", got)
			}
		})
	}
}

func TestVerifyUnsignedWithoutKeyIsAWarning(t *testing.T) {
	st, _ := stores[0].open(t)
	a := buildArchive(t, st, keys{}, archiveHooks{})
	o := a.opts(keys{})
	r := verify(t, st, o)
	if len(r.Problems) > 0 || r.Signed {
		t.Fatalf("unsigned, no key: signed %v, problems\n%s", r.Signed, problems(r))
	}
	if got := r.Summary(); !strings.Contains(got, "WARNING: checkpoints are unsigned") {
		t.Errorf("summary %q, want the unsigned warning", got)
	}
	o.Verifier = newKeys(t, "k").verifier
	r = verify(t, st, o)
	if n := count(r, chain.KindUnsigned); n != 6 {
		t.Errorf("unsigned, key given: %d %s problems, want 6\n%s", n, chain.KindUnsigned, problems(r))
	}
}

func TestVerifySignedWithoutKey(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	a := buildArchive(t, st, k, archiveHooks{})
	o := a.opts(k)
	o.Verifier = nil
	r := verify(t, st, o)
	if len(r.Problems) > 0 || !r.Signed || r.SignaturesChecked {
		t.Fatalf("signed, no key: %+v", r)
	}
	if got := r.Summary(); !strings.Contains(got, "signatures not checked") {
		t.Errorf("summary %q", got)
	}
}

func TestVerifyPipelineFilter(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[1].open(t)
	a := buildArchive(t, st, k, archiveHooks{})
	o := a.opts(k)
	o.Pipeline = "orders"
	if r := verify(t, st, o); len(r.Problems) > 0 || r.Events != 6005 {
		t.Errorf("pipeline orders: %d events, problems\n%s", r.Events, problems(r))
	}
	o.Pipeline = "billing"
	r := verify(t, st, o)
	if len(r.Problems) != 1 || r.Problems[0].Kind != chain.KindNoCheckpoint {
		t.Errorf("pipeline billing (nothing stored): problems\n%s", problems(r))
	}
}

func TestVerifyProgress(t *testing.T) {
	st, _ := stores[0].open(t)
	a := buildArchive(t, st, keys{}, archiveHooks{})
	var events, calls int64
	o := a.opts(keys{})
	o.Progress = func(e, b int64) { events, calls = e, calls+1 }
	verify(t, st, o)
	if events != 6005 || calls != 8 {
		t.Errorf("progress: %d events in %d calls, want 6005 in 8", events, calls)
	}
}

func TestVerifyStoreUnreachable(t *testing.T) {
	m := chaintest.NewMem()
	a := buildArchive(t, m, keys{}, archiveHooks{})
	m.Fail = errors.New("connection refused")
	if _, err := chain.Verify(context.Background(), m, a.opts(keys{})); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Verify over an unreachable store: error %v, want it", err)
	}
}

// problems renders a report's problems, one per line.
func problems(r *chain.Report) string {
	var b bytes.Buffer
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func count(r *chain.Report, kind string) int {
	n := 0
	for _, p := range r.Problems {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

// TestVerifyPipelineSharesStore: two pipelines in one file output
// directory; verifying one does not blame the other's batches.
func TestVerifyPipelineSharesStore(t *testing.T) {
	ctx := context.Background()
	st, _ := openFileStore(t)
	a := buildArchive(t, st, keys{}, archiveHooks{})
	b := chaintest.New(st, chaintest.Options{Pipeline: "billing", Output: "archive", Stream: "b1", Start: start})
	must(t, errOf(b.Add(ctx, 50)))
	must(t, errOf(b.Checkpoint(ctx)))
	o := a.opts(keys{})
	o.Pipeline = "orders"
	if r := verify(t, st, o); len(r.Problems) > 0 {
		t.Errorf("pipeline orders: problems\n%s", problems(r))
	}
	o.Pipeline = ""
	r := verify(t, st, o)
	if len(r.Problems) != 1 || r.Problems[0].Kind != chain.KindStale || r.Events != 6055 {
		t.Errorf("every pipeline: %d events, problems (billing's only checkpoint is old)\n%s", r.Events, problems(r))
	}
	if want := "1 problem: output \"archive\": 2 pipelines, 3 streams, 9 batches, 6055 events, 7 checkpoints"; !strings.HasPrefix(r.Summary(), want) {
		t.Errorf("summary %q, want it to start with %q", r.Summary(), want)
	}
}
