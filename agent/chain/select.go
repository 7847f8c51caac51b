package chain

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"strings"

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
	Manifest string           // the manifest's name
	Index    *index.Record    // its index record (without field sets when the batch has none: read from the manifest)
	Ref      outputs.BatchRef // what Store.Open reads
}

// SelectStats counts what Select read.
type SelectStats struct {
	Batches    int   // batches of the output's streams
	Selected   int   // batches yielded: their index may match
	Unindexed  int   // batches without a readable index record (stored before index records): always yielded
	IndexBytes int64 // bytes of index records and fallback manifests read
}

// Select yields, stream by stream in tree order, the stored batches of the
// output (of one pipeline, or all when pipeline is "") whose index records
// say they may hold events q matches. It lists manifest and index names
// and reads index records only, never batch bodies; a batch without an
// index record (an archive written before them) is read from its manifest
// and always yielded.
func Select(ctx context.Context, st Reader, pipeline, output string, q *index.Query, stats *SelectStats) iter.Seq2[Selected, error] {
	if stats == nil {
		stats = &SelectStats{}
	}
	return func(yield func(Selected, error) bool) {
		v := newVerifier(st, VerifyOptions{Pipeline: pipeline, Output: output})
		streams, err := v.discover(ctx)
		if err != nil {
			yield(Selected{}, err)
			return
		}
		for _, s := range streams {
			sel := selector{st: st, id: s, output: output, q: q, stats: stats}
			if !sel.stream(ctx, yield) {
				return
			}
		}
	}
}

// selector selects among one stream's batches.
type selector struct {
	st     Reader
	id     streamID
	output string
	q      *index.Query
	stats  *SelectStats
}

// stream walks the stream's manifest names beside its index names (both
// in tree order); false when it stopped (the caller's choice or an error).
func (s *selector) stream(ctx context.Context, yield func(Selected, error) bool) bool {
	mdir := ManifestDir(s.id.pipeline, s.output, s.id.stream)
	idir := IndexDir(s.id.pipeline, s.output, s.id.stream)
	nextIndex, stop := iter.Pull2(s.st.ListMeta(ctx, idir))
	defer stop()
	pending, ok, err := pullName(nextIndex)
	for name, lerr := range s.st.ListMeta(ctx, mdir) {
		if lerr == nil {
			lerr = err
		}
		if lerr != nil {
			yield(Selected{}, fmt.Errorf("list %s: %w", mdir, lerr))
			return false
		}
		want := idir + strings.TrimPrefix(name, mdir)
		for ok && pending < want {
			if pending, ok, err = pullName(nextIndex); err != nil {
				yield(Selected{}, fmt.Errorf("list %s: %w", idir, err))
				return false
			}
		}
		sel, err := s.batch(ctx, name, want, ok && pending == want)
		if err != nil {
			yield(Selected{}, err)
			return false
		}
		if sel.Index != nil && !yield(sel, nil) {
			return false
		}
	}
	return true
}

func pullName(next func() (string, error, bool)) (string, bool, error) {
	name, err, ok := next()
	return name, ok && err == nil, err
}

// batch reads the index record of the batch whose manifest is name (or,
// without one, the manifest) and returns it selected, or with a nil Index
// when the record rules the batch out.
func (s *selector) batch(ctx context.Context, name, indexName string, indexed bool) (Selected, error) {
	s.stats.Batches++
	sel := Selected{Pipeline: s.id.pipeline, Stream: s.id.stream, Manifest: name}
	var rec *index.Record
	if indexed {
		raw, err := s.st.GetMeta(ctx, indexName)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return sel, fmt.Errorf("read %s: %w", indexName, err)
		}
		s.stats.IndexBytes += int64(len(raw))
		if err == nil {
			rec, _ = index.Parse(raw) // unreadable: as if absent (verify reports it)
		}
	}
	if rec == nil {
		var err error
		if rec, err = s.fromManifest(ctx, name); err != nil {
			return sel, err
		}
		s.stats.Unindexed++
	} else if !rec.MayMatch(s.q) {
		return sel, nil
	}
	s.stats.Selected++
	sel.Index, sel.Ref = rec, outputs.BatchRef{Key: rec.Key}
	return sel, nil
}

// fromManifest is the record of a batch without one: what its manifest
// says, no time range or field sets, so it matches any query.
func (s *selector) fromManifest(ctx context.Context, name string) (*index.Record, error) {
	raw, err := s.st.GetMeta(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	s.stats.IndexBytes += int64(len(raw))
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &index.Record{Version: index.RecordVersion, Key: m.Key, Format: m.Format, Compression: m.Compression,
		SizeBefore: m.SizeBefore, FirstSeq: m.FirstSeq, LastSeq: m.LastSeq, Count: m.Count}
	for _, run := range m.Seqs {
		r.Seqs = append(r.Seqs, run)
	}
	return r, nil
}
