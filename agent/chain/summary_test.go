package chain_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/agent/index"
)

// summarize writes the index summary of b's batches [from, to) as one
// segment, the way the sender does, and returns its columns' names by
// column ("time" or the field).
func summarize(t *testing.T, st store, b *chaintest.Builder, from, to int) map[string]string {
	t.Helper()
	ctx := context.Background()
	var recs []*index.Record
	for _, bt := range b.Batches[from:to] {
		raw, err := st.GetMeta(ctx, bt.Index)
		must(t, err)
		r, err := index.Parse(raw)
		must(t, err)
		recs = append(recs, r)
	}
	names := map[string]string{}
	first, last := recs[0].SizeBefore, recs[len(recs)-1].SizeBefore
	for _, col := range index.Summarize(recs) {
		data, gz := col.Marshal()
		o := b.Batches[0].Manifest // _auditship/manifests/<pipeline>/<output>/<stream>/...
		parts := strings.Split(o, "/")
		name := chain.SummaryName(parts[2], parts[3], parts[4], first, last, col, gz)
		must(t, st.PutMeta(ctx, name, data))
		key := col.Field
		if col.Time {
			key = "time"
		}
		names[key] = name
	}
	return names
}

// summarizedArchive is the archive with index records and summaries:
// s1's batches 0-2 and 3-4 in two segments (batch 5 in none), s2's two
// batches in one.
func summarizedArchive(t *testing.T, st store, k keys) (*archive, [3]map[string]string) {
	a := buildArchive(t, st, k, archiveHooks{index: true})
	return a, [3]map[string]string{summarize(t, st, a.s1, 0, 3), summarize(t, st, a.s1, 3, 5), summarize(t, st, a.s2, 0, 2)}
}

func TestSelectReadsSummaryColumns(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			a, segs := summarizedArchive(t, st, k)
			cs := &countingStore{Reader: st, gets: map[string]int{}}
			var stats chain.SelectStats
			got := selectKeys(t, cs, query(t, "workflowInstanceId == 'wi-40' && category == 'workflow'", time.Time{}, time.Time{}), &stats)
			if diff := cmp.Diff([]string{a.s1.Batches[2].Key}, got); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
			// the two columns of each segment, the record of the batch
			// they leave in and of the batch in no summary
			want := []string{a.s1.Batches[2].Index, a.s1.Batches[5].Index}
			for _, g := range segs {
				want = append(want, g["workflowInstanceId"], g["category"])
			}
			var read []string
			for name, n := range cs.gets {
				read = append(read, name)
				if n != 1 {
					t.Errorf("%s read %d times", name, n)
				}
			}
			slices.Sort(want)
			slices.Sort(read)
			if diff := cmp.Diff(want, read); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
			if stats.Batches != 8 || stats.Selected != 1 || stats.Summarized != 6 || stats.Summaries != 6 || stats.IndexBytes == 0 {
				t.Errorf("stats %+v, want 8 batches, 1 selected, 6 ruled out by 6 summary columns", stats)
			}
		})
	}
}

func TestSelectSummaryTimeWindow(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[1].open(t)
	a, segs := summarizedArchive(t, st, k)
	cs := &countingStore{Reader: st, gets: map[string]int{}}
	since, until := start.Add(1700*time.Millisecond), start.Add(2700*time.Millisecond)
	var stats chain.SelectStats
	got := selectKeys(t, cs, query(t, "", since, until), &stats)
	if diff := cmp.Diff([]string{a.s1.Batches[2].Key, a.s1.Batches[3].Key}, got); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	for _, g := range segs {
		if cs.gets[g["time"]] != 1 || cs.gets[g["workflowInstanceId"]] != 0 {
			t.Errorf("segment %v: read %v", g, cs.gets)
		}
	}
	if cs.gets[a.s1.Batches[0].Index] != 0 || cs.gets[a.s2.Batches[0].Index] != 0 {
		t.Errorf("read the records of batches the summaries rule out: %v", cs.gets)
	}
	if stats.Summarized != 5 || stats.Summaries != 3 {
		t.Errorf("stats %+v, want 5 ruled out by 3 columns", stats)
	}
}

func TestSelectSummaryMissingOrUnreadable(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, tam := stores[1].open(t)
	a, segs := summarizedArchive(t, st, k)
	must(t, tam.Remove(segs[0]["workflowInstanceId"]))
	must(t, tam.Replace(segs[1]["workflowInstanceId"], []byte("\x1f\x8b garbage")))
	must(t, tam.Replace(segs[2]["workflowInstanceId"], []byte(`{"v":1,"field":"workflowInstanceId","batches":[{"s":1200,"n":0}`)))
	cs := &countingStore{Reader: st, gets: map[string]int{}}
	var stats chain.SelectStats
	got := selectKeys(t, cs, query(t, "workflowInstanceId == 'wi-40'", time.Time{}, time.Time{}), &stats)
	if diff := cmp.Diff([]string{a.s1.Batches[2].Key}, got); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	if stats.Summarized != 0 || stats.Batches != 8 {
		t.Errorf("stats %+v, want every batch decided by its record", stats)
	}
	for _, b := range append(a.s1.Batches, a.s2.Batches...) {
		if cs.gets[b.Index] != 1 {
			t.Errorf("the record of %s read %d times, want once", b.Key, cs.gets[b.Index])
		}
	}
}

// editColumn rewrites one column as someone with write access to the
// store would, under the name its new bytes call for.
func editColumn(t *testing.T, st store, tam chaintest.Tamper, name string, edit func(*index.Summary)) string {
	t.Helper()
	col, err := index.ParseSummary(read(t, tam, name))
	must(t, err)
	edit(col)
	data, gz := col.Marshal()
	newName := strings.TrimSuffix(name, ".gz")
	if gz {
		newName += ".gz"
	}
	must(t, tam.Remove(name))
	must(t, tam.Replace(newName, data))
	return newName
}

func TestVerifySummaries(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, st store, tam chaintest.Tamper, a *archive, segs [3]map[string]string) (string, string)
	}{{
		name: "intact",
	}, {
		name: "a column entry that hides a batch",
		tamper: func(t *testing.T, st store, tam chaintest.Tamper, a *archive, segs [3]map[string]string) (string, string) {
			// wi-40 (seqs 2000-2049) left out of batch 2's set: Select
			// would skip the batch
			return editColumn(t, st, tam, segs[0]["workflowInstanceId"], func(s *index.Summary) {
				set := s.Batches[2].Set
				set.Values = slices.DeleteFunc(set.Values, func(v string) bool { return v == "wi-40" })
				set.N = len(set.Values)
			}), "disagrees with the index record of " + a.s1.Batches[2].Key
		},
	}, {
		name: "a narrowed time range",
		tamper: func(t *testing.T, st store, tam chaintest.Tamper, a *archive, segs [3]map[string]string) (string, string) {
			return editColumn(t, st, tam, segs[2]["time"], func(s *index.Summary) {
				s.Batches[1].MinTime = s.Batches[1].MinTime.Add(time.Second)
			}), "time range"
		},
	}, {
		name: "an entry naming a batch the stream does not have",
		tamper: func(t *testing.T, st store, tam chaintest.Tamper, a *archive, segs [3]map[string]string) (string, string) {
			return editColumn(t, st, tam, segs[1]["category"], func(s *index.Summary) {
				e := s.Batches[0]
				e.SizeBefore++
				s.Batches = append(s.Batches, e)
			}), "which the stream does not have"
		},
	}, {
		name: "an unreadable column",
		tamper: func(t *testing.T, st store, tam chaintest.Tamper, a *archive, segs [3]map[string]string) (string, string) {
			must(t, tam.Replace(segs[1]["time"], []byte("{")))
			return segs[1]["time"], "unreadable"
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			st, tam := stores[1].open(t)
			a, segs := summarizedArchive(t, st, k)
			var name, msg string
			if tc.tamper != nil {
				name, msg = tc.tamper(t, st, tam, a, segs)
			}
			r := verify(t, st, a.opts(k))
			if name == "" {
				if len(r.Problems) != 0 {
					t.Fatalf("problems in an intact archive: %+v", r.Problems)
				}
				return
			}
			if len(r.Problems) != 1 || r.Problems[0].Kind != chain.KindIndex || r.Problems[0].Name != name ||
				!strings.Contains(r.Problems[0].Message, msg) {
				t.Fatalf("problems %+v, want one of kind index naming %s: %s", r.Problems, name, msg)
			}
		})
	}
}

func TestSelectTrustsSummaries(t *testing.T) {
	k := newKeys(t, "auditship-test")
	// what verify's check is for: a column that leaves a value out of a
	// batch's set hides the batch from Select
	st, tam := stores[1].open(t)
	a, segs := summarizedArchive(t, st, k)
	editColumn(t, st, tam, segs[0]["workflowInstanceId"], func(s *index.Summary) {
		s.Batches[2].Set.Values = []string{"wi-0"}
	})
	if got := selectKeys(t, st, query(t, "workflowInstanceId == 'wi-40'", time.Time{}, time.Time{}), nil); len(got) != 0 {
		t.Errorf("selected %v: the altered summary was not used", got)
	}
	_ = a
}
