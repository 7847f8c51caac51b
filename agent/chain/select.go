package chain

import (
	"context"
	"fmt"
	"iter"
	"net/url"

	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/outputs"
)

// IndexDir is where an output's index records of one pipeline and stream
// live in its store; names parallel the manifests'.
func IndexDir(pipeline, output, stream string) string {
	return "_auditship/index/" + url.PathEscape(pipeline) + "/" + url.PathEscape(output) + "/" + stream + "/"
}

// IndexName is the name of the index record of the batch that starts at
// tree size before.
func IndexName(pipeline, output, stream string, before uint64) string {
	return fmt.Sprintf("%s%020d.json", IndexDir(pipeline, output, stream), before)
}

// Selected is one stored batch that may hold events a query matches.
type Selected struct {
	Pipeline string
	Stream   string
	Manifest string // the manifest's name
	Index    *index.Record
	Ref      outputs.BatchRef // what Store.Open reads
}

// SelectStats counts what Select read.
type SelectStats struct {
	Batches  int // batches of the output's streams
	Selected int // batches yielded: their index may match
}

// Select yields, stream by stream in tree order, the stored batches of the
// output (of one pipeline, or all when pipeline is "") whose index records
// say they may hold events q matches. It reads index records only, never
// manifests or batch bodies.
func Select(ctx context.Context, st Reader, pipeline, output string, q *index.Query, stats *SelectStats) iter.Seq2[Selected, error] {
	return func(yield func(Selected, error) bool) {
		v := newVerifier(st, VerifyOptions{Pipeline: pipeline, Output: output})
		streams, err := v.discover(ctx)
		if err != nil {
			yield(Selected{}, err)
			return
		}
		for _, s := range streams {
			dir := ManifestDir(s.pipeline, output, s.stream)
			for name, err := range st.ListMeta(ctx, dir) {
				if err != nil {
					yield(Selected{}, fmt.Errorf("list %s: %w", dir, err))
					return
				}
				raw, err := st.GetMeta(ctx, name)
				if err != nil {
					yield(Selected{}, fmt.Errorf("read %s: %w", name, err))
					return
				}
				m, err := ParseManifest(raw)
				if err != nil {
					yield(Selected{}, fmt.Errorf("%s: %w", name, err))
					return
				}
				rec := &index.Record{Key: m.Key, Format: m.Format, Compression: m.Compression, SizeBefore: m.SizeBefore,
					FirstSeq: m.FirstSeq, LastSeq: m.LastSeq, Count: m.Count}
				if stats != nil {
					stats.Batches++
				}
				if !rec.MayMatch(q) {
					continue
				}
				if stats != nil {
					stats.Selected++
				}
				sel := Selected{Pipeline: s.pipeline, Stream: s.stream, Manifest: name, Index: rec, Ref: outputs.BatchRef{Key: m.Key}}
				if !yield(sel, nil) {
					return
				}
			}
		}
	}
}
