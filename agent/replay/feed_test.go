package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// flakyStore serves one batch body; the first Open's reader fails after
// cut bytes, as a connection dropped mid-body.
type flakyStore struct {
	body  string
	cut   int
	opens int
}

func (s *flakyStore) Open(_ context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	if ref.Key != "b1" {
		return nil, fs.ErrNotExist
	}
	s.opens++
	if s.opens == 1 {
		return io.NopCloser(io.MultiReader(strings.NewReader(s.body[:s.cut]), errReader{})), nil
	}
	return io.NopCloser(strings.NewReader(s.body)), nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func (s *flakyStore) Write(context.Context, *event.Batch) error { return nil }
func (s *flakyStore) Close(context.Context) error               { return nil }
func (s *flakyStore) List(context.Context, string) iter.Seq2[outputs.BatchRef, error] {
	return func(func(outputs.BatchRef, error) bool) {}
}
func (s *flakyStore) PutMeta(context.Context, string, []byte) error   { return nil }
func (s *flakyStore) GetMeta(context.Context, string) ([]byte, error) { return nil, fs.ErrNotExist }
func (s *flakyStore) ListMeta(context.Context, string) iter.Seq2[string, error] {
	return func(func(string, error) bool) {}
}

func envelopeLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"_id":"id-%d","_seq":%d,"_time":"2026-01-01T00:00:00Z","category":"workflow","k":%q}`+"\n", i, i+1, []string{"even", "odd"}[i%2])
	}
	return b.String()
}

func testFeeder(t *testing.T, st chain.Reader) *feeder {
	t.Helper()
	q, err := index.NewQuery("k == 'even'", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	f := &feeder{r: &runner{o: Options{Source: st}, log: zap.NewNop()}, q: q}
	f.chunk.limit = 1 << 30
	return f
}

// A read that fails mid-body is retried from the line after the last
// one taken: no line is queued twice.
func TestReadRetriedGoesOn(t *testing.T) {
	st := &flakyStore{body: envelopeLines(100)}
	st.cut = len(st.body) / 2
	f := testFeeder(t, st)
	sel := chain.Selected{Pipeline: "p", Stream: "s", Index: &index.Record{Format: "ndjson", Compression: "none", Count: 100},
		Ref: outputs.BatchRef{Key: "b1"}}
	if err := f.batch(context.Background(), sel); err != nil {
		t.Fatal(err)
	}
	if st.opens != 2 {
		t.Errorf("%d opens, want 2", st.opens)
	}
	seen := map[string]int{}
	for _, e := range f.chunk.events {
		seen[e.ID]++
	}
	if len(f.chunk.events) != 50 || len(seen) != 50 {
		t.Errorf("%d events queued, %d distinct, want 50 each", len(f.chunk.events), len(seen))
	}
}

// A batch its manifest lists but the store lacks ends the run at once.
func TestMissingBatchEndsTheRun(t *testing.T) {
	f := testFeeder(t, &flakyStore{})
	sel := chain.Selected{Index: &index.Record{Format: "ndjson", Compression: "none", Count: 1}, Ref: outputs.BatchRef{Key: "gone"}}
	if err := f.batch(context.Background(), sel); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("batch of a missing object: %v, want fs.ErrNotExist", err)
	}
}
