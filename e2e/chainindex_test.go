package e2e

import (
	"encoding/json"
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
}

// indexToManifest is the manifest name an index record's name parallels.
func indexToManifest(name string) string {
	return manifestsRoot + strings.TrimPrefix(name, indexRoot)
}
