package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/outputs"
	fileout "github.com/auditship/auditship/outputs/file"
)

// fileStore is the real file output in a temp directory, as pipeline p's
// output o.
func fileStore(t *testing.T) chain.Reader {
	t.Helper()
	f := fileout.NewFactory()
	c := f.NewConfig().(*fileout.Config)
	c.Path = filepath.Join(t.TempDir(), "archive")
	out, err := f.Create(outputs.Settings{Pipeline: "p", Name: "o"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(chain.Reader)
}

// summaryColumns reads the stored columns of the stream's summaries, by
// segment directory and column file name.
func summaryColumns(t *testing.T, st chain.Reader) map[string]map[string]*index.Summary {
	t.Helper()
	ctx := context.Background()
	dir := chain.SummaryDir("p", "o", "s")
	out := map[string]map[string]*index.Summary{}
	for name, err := range st.ListMeta(ctx, dir) {
		if err != nil {
			t.Fatal(err)
		}
		raw, err := st.GetMeta(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		col, err := index.ParseSummary(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		seg, file, _ := strings.Cut(strings.TrimPrefix(name, dir), "/")
		if out[seg] == nil {
			out[seg] = map[string]*index.Summary{}
		}
		out[seg][file] = col
	}
	return out
}

func TestChainCheckpointWritesIndexSummary(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	st := fileStore(t)
	s := newTestSender(t, buf, st, dir+"/out")
	s.chain.fields = []string{"a", "category"}
	last := appendEvents(t, buf, 8) // values a..h, four to a batch
	runUntil(s, last)               // its shutdown checkpoint writes the segment
	// a second run: its batches go into a segment of their own
	s = newTestSender(t, buf, st, dir+"/out")
	s.chain.fields = []string{"a", "category"}
	last = appendEvents(t, buf, 4)
	runUntil(s, last)

	segs := summaryColumns(t, st)
	var names []string
	for seg, cols := range segs {
		for file := range cols {
			names = append(names, seg+"/"+strings.TrimSuffix(file, ".gz")) // gzipped when that pays
		}
	}
	slices.Sort(names)
	want := []string{
		"00000000000000000000-00000000000000000004/field.a.json",
		"00000000000000000000-00000000000000000004/field.category.json",
		"00000000000000000000-00000000000000000004/time.json",
		"00000000000000000008-00000000000000000008/field.a.json",
		"00000000000000000008-00000000000000000008/field.category.json",
		"00000000000000000008-00000000000000000008/time.json",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("summary columns (-want +got):\n%s", diff)
	}
	// every entry is what its batch's record says
	ctx := context.Background()
	entries := 0
	for _, cols := range segs {
		for file, col := range cols {
			for i := range col.Batches {
				e := &col.Batches[i]
				raw, err := st.GetMeta(ctx, chain.IndexName("p", "o", "s", e.SizeBefore))
				if err != nil {
					t.Fatalf("%s names tree size %d: %v", file, e.SizeBefore, err)
				}
				r, err := index.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				if why := col.Disagrees(e, r); why != "" {
					t.Errorf("%s, batch at %d: %s", file, e.SizeBefore, why)
				}
				entries++
			}
		}
	}
	if entries != 3*3 {
		t.Errorf("%d entries, want 3 batches in 3 columns", entries)
	}
	// Select reads the columns, not the records of the batches they rule out
	q, err := index.NewQuery("a == 'f'", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var stats chain.SelectStats
	var keys []string
	for sel, err := range chain.Select(ctx, st, "p", "o", q, &stats) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, sel.Index.Key)
	}
	if len(keys) != 1 || stats.Batches != 3 || stats.Summarized != 2 || stats.Summaries != 2 {
		t.Errorf("selected %v, stats %+v: want 1 of 3 batches, 2 ruled out by 2 columns", keys, stats)
	}
}

func TestChainWritesNoSummaryForAnInlineStore(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	s := newTestSender(t, buf, out, dir+"/out")
	s.chain.inline = true // as mysql: the store keeps manifests with its batches
	runUntil(s, appendEvents(t, buf, 8))
	for name := range out.meta {
		if strings.HasPrefix(name, "_auditship/index-summary/") {
			t.Errorf("an inline store got %s", name)
		}
	}
}

func TestChainWritesAFullSegmentAtOnce(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := newChainStore()
	s := newTestSender(t, buf, out, dir+"/out")
	s.chain.fields = []string{"a"}
	runUntil(s, appendEvents(t, buf, 4*(summaryMax+3))) // batches of four
	var segs []string
	for name := range out.meta {
		rest, ok := strings.CutPrefix(strings.TrimSuffix(name, ".gz"), chain.SummaryDir("p", "o", "s"))
		if seg, isA := strings.CutSuffix(rest, "/field.a.json"); ok && isA {
			segs = append(segs, seg)
		}
	}
	slices.Sort(segs)
	// the first summaryMax batches when they had gathered, the other
	// three at the shutdown checkpoint
	last := uint64(4 * (summaryMax - 1))
	want := []string{fmt.Sprintf("%020d-%020d", 0, last), fmt.Sprintf("%020d-%020d", last+4, last+12)}
	if diff := cmp.Diff(want, segs); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
}
