package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// indexRoot starts the names of the index records (issue 11).
const indexRoot = "_auditship/index/"

// reindex is what a forger computes besides a resealed manifest m: the
// index record of the batch's new lines (the fields of the old record),
// stored under its name, its sha256 in m. A manifest without an index
// record is left as it is.
func reindex(t *testing.T, a chainArchive, m *chain.Manifest, lines [][]byte) {
	t.Helper()
	if m.Index == "" {
		return
	}
	name := chain.IndexName(m.Pipeline, m.Output, m.Stream, m.SizeBefore)
	old, err := index.Parse(a.meta(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var fields []string
	for _, f := range old.Fields {
		fields = append(fields, f.Name)
	}
	b := index.NewBuilder(fields)
	for _, l := range lines {
		var env struct {
			Time time.Time `json:"_time"`
		}
		if err := json.Unmarshal(l, &env); err != nil {
			t.Fatalf("line %.80q: %v", l, err)
		}
		b.Add(l, env.Time)
	}
	r := index.Record{Key: m.Key, Format: old.Format, Compression: old.Compression, SizeBefore: m.SizeBefore,
		FirstSeq: m.FirstSeq, LastSeq: m.LastSeq, Count: m.Count}
	for _, run := range m.Seqs {
		r.Seqs = append(r.Seqs, run)
	}
	b.Fill(&r)
	raw := r.Marshal()
	a.putMeta(t, name, raw)
	m.Index = chain.Digest(raw)
	resummarize(t, a, m, &r)
}

// resummarize makes the index summaries that list m's batch say what its
// new record r says, as a forger who rewrites a batch and its index
// record would: each column of a segment whose range holds the batch is
// read, its entry replaced, and stored again (under another name when it
// is now gzipped and was not, or the other way round). Without it, verify
// also reports the summary, whenever one covers the batch.
func resummarize(t *testing.T, a chainArchive, m *chain.Manifest, r *index.Record) {
	t.Helper()
	dir := chain.SummaryDir(m.Pipeline, m.Output, m.Stream)
	for _, name := range a.metaNames(t, dir) {
		seg, _, _ := strings.Cut(strings.TrimPrefix(name, dir), "/")
		from, to, _ := strings.Cut(seg, "-")
		first, err1 := strconv.ParseUint(from, 10, 64)
		last, err2 := strconv.ParseUint(to, 10, 64)
		if err1 != nil || err2 != nil || m.SizeBefore < first || m.SizeBefore > last {
			continue
		}
		s, err := index.ParseSummary(a.meta(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range s.Batches {
			e := &s.Batches[i]
			switch {
			case e.SizeBefore != m.SizeBefore:
			case s.Time:
				e.MinTime, e.MaxTime = r.MinTime, r.MaxTime
			case r.Field(s.Field) != nil:
				set := *r.Field(s.Field)
				set.Name = ""
				e.Set = &set
			default:
				e.Set = nil
			}
		}
		data, gz := s.Marshal()
		again := chain.SummaryName(m.Pipeline, m.Output, m.Stream, first, last, s, gz)
		if again != name {
			a.removeMeta(t, name)
		}
		a.putMeta(t, again, data)
	}
}

// indexToManifest is the manifest name an index record's name parallels.
func indexToManifest(name string) string {
	return manifestsRoot + strings.TrimPrefix(name, indexRoot)
}
