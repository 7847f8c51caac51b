package delivery

import (
	"slices"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/index"
)

// indexFields are the fields an output's index records hold (issue 11):
// index_fields, or the defaults when it is not set; empty keeps the time
// range only.
func indexFields(fields []string) []string {
	if fields == nil {
		return index.DefaultFields
	}
	return fields
}

// indexRecord returns the stored bytes of the index record ix built for
// the batch journaled as e, at tree size before.
func indexRecord(ix *index.Builder, e *batchEntry, runs []chain.Run, before uint64) []byte {
	r := index.Record{Key: e.Key, Format: e.Format, Compression: e.Compression, SizeBefore: before,
		FirstSeq: e.First, LastSeq: e.Last, Count: e.Count, Seqs: make([][2]uint64, len(runs))}
	for i, run := range runs {
		r.Seqs[i] = run
	}
	ix.Fill(&r)
	return r.Marshal()
}

// CaptureFields are the fields whose value positions a pipeline's event
// records should carry for the index builders of outputs: the union of
// their index fields, envelope keys left out (rendered outside the
// capture; a builder that indexes one scans its lines).
func CaptureFields(outs []*config.Output) []string {
	var names []string
	for _, o := range outs {
		if !o.Enabled || o.Type == "stdout" {
			continue
		}
		for _, f := range indexFields(o.IndexFields) {
			if !slices.Contains(names, f) && !index.IsEnvelopeKey(f) {
				names = append(names, f)
			}
		}
	}
	return names
}
