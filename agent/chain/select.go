package chain

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"strings"

	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/outputs"
)

// IndexDir is where an output's index records of one pipeline and stream
// live in its store; names parallel the manifests'.
func IndexDir(pipeline, output, stream string) string {
	return streamDir("_auditship/index/", pipeline, output, stream)
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
	IndexBytes int64 // bytes of index records, summary columns and fallback manifests read
	Summaries  int   // index summary columns read
	Summarized int   // batches the summaries ruled out: their index records were not read
}

// Select yields, stream by stream in tree order, the stored batches of the
// output (of one pipeline, or all when pipeline is "") whose index records
// say they may hold events q matches. It lists manifest and index names
// and reads index records only, never batch bodies; a batch without an
// index record (an archive written before them) is read from its manifest
// and always yielded.
//
// For a query with index terms or a time bound it first reads, segment
// by segment, the index summary columns of the constrained fields (and of
// the time ranges): a batch they rule out is skipped without reading its
// record. Batches in no summary, or whose summary is missing or
// unreadable, are decided by their records.
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

	fields []string        // the summary columns q reads: fields,
	times  bool            // and the time ranges
	segs   []*segment      // summary segments not read yet, by first tree size
	out    map[uint64]bool // tree sizes of the batches the segments read rule out
}

// stream walks the stream's manifest names beside its index names (both
// in tree order); false when it stopped (the caller's choice or an error).
func (s *selector) stream(ctx context.Context, yield func(Selected, error) bool) bool {
	mdir := ManifestDir(s.id.pipeline, s.output, s.id.stream)
	idir := IndexDir(s.id.pipeline, s.output, s.id.stream)
	nextIndex, stop := iter.Pull2(s.st.ListMeta(ctx, idir))
	defer stop()
	pending, ok, err := pullName(nextIndex)
	s.listSummaries(ctx)
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
		if size, isName := manifestSize(name); isName && s.ruledOut(ctx, size) {
			s.stats.Batches++
			s.stats.Summarized++
			continue
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

// listSummaries lists the stream's summary segments when q has columns
// to read; none when listing fails (the records decide then).
func (s *selector) listSummaries(ctx context.Context) {
	s.fields, s.times = s.q.Columns()
	if len(s.fields) == 0 && !s.times {
		return
	}
	segs, err := listSegments(ctx, s.st, SummaryDir(s.id.pipeline, s.output, s.id.stream))
	if err == nil {
		s.segs, s.out = segs, map[uint64]bool{}
	}
}

// ruledOut reports whether the summaries rule out the batch at tree size
// size, reading the columns of the segments that start at or before it.
func (s *selector) ruledOut(ctx context.Context, size uint64) bool {
	for len(s.segs) > 0 && s.segs[0].first <= size {
		g := s.segs[0]
		s.segs = s.segs[1:]
		if g.last >= size {
			s.readSegment(ctx, g)
		}
	}
	out := s.out[size]
	delete(s.out, size)
	return out
}

// readSegment reads the columns q needs of one segment. A column that is
// missing or unreadable rules nothing out.
func (s *selector) readSegment(ctx context.Context, g *segment) {
	read := func(name string) {
		if name == "" {
			return
		}
		raw, err := s.st.GetMeta(ctx, name)
		s.stats.IndexBytes += int64(len(raw))
		if err != nil {
			return
		}
		s.stats.Summaries++
		sum, err := index.ParseSummary(raw)
		if err != nil {
			return
		}
		for _, size := range sum.RuledOut(s.q) {
			if size >= g.first && size <= g.last {
				s.out[size] = true
			}
		}
	}
	for _, f := range s.fields {
		read(g.column(f, false))
	}
	if s.times {
		read(g.column("", true))
	}
}
