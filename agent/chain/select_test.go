package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// selectKeys runs Select and returns the keys of the batches it yields.
func selectKeys(t *testing.T, st chain.Reader, q *index.Query, stats *chain.SelectStats) []string {
	t.Helper()
	var keys []string
	for sel, err := range chain.Select(context.Background(), st, "", "archive", q, stats) {
		if err != nil {
			t.Fatal(err)
		}
		if sel.Ref.Key != sel.Index.Key {
			t.Errorf("ref %s, index record of %s", sel.Ref.Key, sel.Index.Key)
		}
		keys = append(keys, sel.Ref.Key)
	}
	return keys
}

func query(t *testing.T, where string, since, until time.Time) *index.Query {
	t.Helper()
	q, err := index.NewQuery(where, since, until)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// countingStore counts what is read through it.
type countingStore struct {
	chain.Reader
	gets map[string]int
}

func (c *countingStore) GetMeta(ctx context.Context, name string) ([]byte, error) {
	c.gets[name]++
	return c.Reader.GetMeta(ctx, name)
}

func TestSelectReadsIndexRecordsOnly(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			a := buildArchive(t, st, k, archiveHooks{index: true})
			cs := &countingStore{Reader: st, gets: map[string]int{}}
			var stats chain.SelectStats
			// wi-40 is seqs 2000-2049: s1's third batch and s2's none (1-1700)
			got := selectKeys(t, cs, query(t, "workflowInstanceId == 'wi-40' && category == 'workflow'", time.Time{}, time.Time{}), &stats)
			if diff := cmp.Diff([]string{a.s1.Batches[2].Key}, got); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
			if stats.Batches != 8 || stats.Selected != 1 || stats.Unindexed != 0 || stats.IndexBytes == 0 {
				t.Errorf("stats %+v, want 8 batches, 1 selected, all indexed", stats)
			}
			for name := range cs.gets {
				if _, ok := indexRecordName(a, name); !ok {
					t.Errorf("Select read %s, not an index record", name)
				}
			}
		})
	}
}

func indexRecordName(a *archive, name string) (int, bool) {
	for i, b := range append(a.s1.Batches, a.s2.Batches...) {
		if b.Index == name {
			return i, true
		}
	}
	return 0, false
}

func TestSelectTimeWindowInTreeOrder(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	a := buildArchive(t, st, k, archiveHooks{index: true})
	// s1's events are at start + seq ms: [1606ms, 2905ms] is its batches 2 and 3
	since, until := start.Add(1700*time.Millisecond), start.Add(2700*time.Millisecond)
	got := selectKeys(t, st, query(t, "", since, until), nil)
	if diff := cmp.Diff([]string{a.s1.Batches[2].Key, a.s1.Batches[3].Key}, got); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	// an id no batch holds: none
	if got := selectKeys(t, st, query(t, "workflowInstanceId in ['wi-999', 'wi-1000']", time.Time{}, time.Time{}), nil); len(got) != 0 {
		t.Errorf("selected %v for an instance no batch holds", got)
	}
}

func TestSelectFallsBackToManifestsWithoutIndexRecords(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, tam := stores[1].open(t)
	a := buildArchive(t, st, k, archiveHooks{index: true})
	must(t, tam.Remove(a.s1.Batches[4].Index)) // as if stored before index records
	var stats chain.SelectStats
	got := selectKeys(t, st, query(t, "workflowInstanceId == 'wi-40'", time.Time{}, time.Time{}), &stats)
	if diff := cmp.Diff([]string{a.s1.Batches[2].Key, a.s1.Batches[4].Key}, got); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	if stats.Unindexed != 1 || stats.Selected != 2 {
		t.Errorf("stats %+v, want 1 unindexed batch among 2 selected", stats)
	}
	// an archive with no index records at all: every batch, in tree order
	st2, _ := stores[0].open(t)
	old := buildArchive(t, st2, k, archiveHooks{})
	var want []string
	for _, b := range append(old.s1.Batches, old.s2.Batches...) {
		want = append(want, b.Key)
	}
	stats = chain.SelectStats{}
	got = selectKeys(t, st2, query(t, "workflowInstanceId == 'wi-40'", time.Time{}, time.Time{}), &stats)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	if stats.Unindexed != 8 {
		t.Errorf("stats %+v, want 8 unindexed", stats)
	}
}
