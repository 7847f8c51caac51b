package delivery

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/index"
)

// orderStore is a chainStore that records the order of PutMeta names.
type orderStore struct {
	*chainStore
	puts []string
}

func (o *orderStore) PutMeta(ctx context.Context, name string, data []byte) error {
	o.mu.Lock()
	o.puts = append(o.puts, name)
	o.mu.Unlock()
	return o.chainStore.PutMeta(ctx, name, data)
}

// indexOf returns the stored index record of m, checked against the
// sha256 m holds.
func indexOf(t *testing.T, c *chainStore, m *chain.Manifest) (*index.Record, []byte) {
	t.Helper()
	raw, ok := c.meta[chain.IndexName("p", "o", "s", m.SizeBefore)]
	if !ok {
		t.Fatalf("no index record beside manifest %s", m.BatchID)
	}
	if m.Index == "" || chain.Digest(raw) != m.Index {
		t.Fatalf("manifest %s holds index sha256 %q, the record has %s", m.BatchID, m.Index, chain.Digest(raw))
	}
	r, err := index.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return r, raw
}

func TestChainStoresAnIndexRecordBeforeEachManifest(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &orderStore{chainStore: newChainStore()}
	s := newTestSender(t, buf, out, dir+"/out")
	s.chain.fields = []string{"a", "category", "absent"}
	first := buf.NextSeq()
	last := appendEvents(t, buf, 8) // values a..h, four to a batch
	runUntil(s, last)
	ms := out.manifests(t)
	if len(ms) != 2 {
		t.Fatalf("%d manifests, want 2", len(ms))
	}
	for i, m := range ms {
		r, _ := indexOf(t, out.chainStore, m)
		if r.Key != m.Key || r.SizeBefore != m.SizeBefore || r.Count != 4 || r.FirstSeq != first+uint64(4*i) {
			t.Errorf("record %+v does not describe batch %s", r, m.BatchID)
		}
		want := []string{"a", "b", "c", "d"}
		if i == 1 {
			want = []string{"e", "f", "g", "h"}
		}
		got := [][]string{r.Field("a").Values, r.Field("category").Values, r.Field("absent").Values}
		if diff := cmp.Diff([][]string{want, {"workflow"}, nil}, got); diff != "" {
			t.Errorf("batch %d values (-want +got):\n%s", i, diff)
		}
		if tm := time.Unix(1700000000, 5).UTC(); !r.MinTime.Equal(tm) || !r.MaxTime.Equal(tm) {
			t.Errorf("time range %v..%v", r.MinTime, r.MaxTime)
		}
		ix := slices.Index(out.puts, chain.IndexName("p", "o", "s", m.SizeBefore))
		mx := slices.Index(out.puts, chain.ManifestName("p", "o", "s", m.SizeBefore))
		if ix < 0 || mx < 0 || ix > mx {
			t.Errorf("index record put at %d, manifest at %d: want the record first", ix, mx)
		}
	}
}

func TestChainResendStoresTheJournaledIndexRecord(t *testing.T) {
	e, up, _, _ := resendAfterCrash(t)
	if len(e.Index) == 0 {
		t.Fatal("no journaled index record")
	}
	journaled := string(e.Index)
	ms := up.manifests(t)
	if len(ms) != 2 {
		t.Fatalf("%d manifests, want 2", len(ms))
	}
	_, raw := indexOf(t, up, ms[0])
	if string(raw) != journaled {
		t.Errorf("the re-sent batch stored another index record:\n%s\njournaled:\n%s", raw, journaled)
	}
	if !strings.Contains(journaled, `"name":"workflowInstanceId"`) {
		t.Errorf("an output without index_fields does not index the default fields: %s", journaled)
	}
}

func TestChainInlineStoreGetsTheIndexRecordWithItsBatch(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &inlineStore{chainStore: newChainStore(), refuse: []int{1}, written: map[string][]byte{}}
	s := newTestSender(t, buf, out, dir+"/out")
	written := map[string]string{} // batch id -> sha256 of the index record handed to Write
	out.onWrite = func(manifest, idx []byte) {
		m, err := chain.ParseManifest(manifest)
		if err != nil || len(idx) == 0 || chain.Digest(idx) != m.Index {
			t.Errorf("Write got manifest %s with an index record that is not the one it holds (%v)", m.BatchID, err)
			return
		}
		written[m.BatchID] = m.Index
	}
	runUntil(s, appendEvents(t, buf, 8))
	ms := out.manifests(t)
	if len(ms) != 2 || len(written) != 2 {
		t.Fatalf("%d manifests, %d batches written with an index record; want 2", len(ms), len(written))
	}
	for _, m := range ms { // resealed without the refused event: the record, a superset, stays
		if m.Count != 3 || m.Index != written[m.BatchID] {
			t.Errorf("resealed manifest %s (%d events) holds index %q, the batch was written with %q", m.BatchID, m.Count, m.Index, written[m.BatchID])
		}
	}
	for n := range out.meta {
		if strings.HasPrefix(n, "_auditship/index/") {
			t.Errorf("index record %s put beside the batch of an inline store", n)
		}
	}
}

// TestCaptureFields: the union of the enabled store outputs' index
// fields, defaults included, without stdout's, disabled outputs' or
// envelope keys (which a builder finds by scanning).
func TestCaptureFields(t *testing.T) {
	outs := []*config.Output{
		{Type: "file", Name: "a", Enabled: true, IndexFields: []string{"businessKey", "category", "x"}},
		{Type: "stdout", Name: "b", Enabled: true, IndexFields: []string{"y"}},
		{Type: "s3", Name: "c", Enabled: false, IndexFields: []string{"z"}},
		{Type: "mysql", Name: "d", Enabled: true}, // the defaults
		{Type: "file", Name: "e", Enabled: true, IndexFields: []string{}},
	}
	want := append([]string{"businessKey", "x"}, slices.DeleteFunc(slices.Clone(index.DefaultFields),
		func(f string) bool { return f == "businessKey" })...)
	if diff := cmp.Diff(want, CaptureFields(outs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := CaptureFields(outs[4:]); len(got) != 0 {
		t.Errorf("index_fields = []: captured %v", got)
	}
}
