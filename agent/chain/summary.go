package chain

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/auditship/auditship/agent/index"
)

// SummaryDir is where an output's index summaries of one pipeline and
// stream live in its store: one directory per segment of consecutive
// batches, holding one column per index field and one of time ranges.
func SummaryDir(pipeline, output, stream string) string {
	return streamDir("_auditship/index-summary/", pipeline, output, stream)
}

// SummaryName is the name of one column of the segment whose batches
// start at tree sizes first to last (their records' tree_size_before):
// `time.json` for the time ranges, `field.<field, path-escaped>.json` for
// a field; `.gz` appended when the bytes are gzipped.
func SummaryName(pipeline, output, stream string, first, last uint64, s *index.Summary, gz bool) string {
	col := "time"
	if !s.Time {
		col = "field." + url.PathEscape(s.Field)
	}
	name := fmt.Sprintf("%s%020d-%020d/%s.json", SummaryDir(pipeline, output, stream), first, last, col)
	if gz {
		name += ".gz"
	}
	return name
}

// segment is one segment of a stream's index summary, as listed.
type segment struct {
	first, last uint64
	time        string            // the time column's name ("": none listed)
	fields      map[string]string // field -> its column's name
}

// column returns the name of the named column, "" when none is listed.
func (g *segment) column(field string, time bool) string {
	if time {
		return g.time
	}
	return g.fields[field]
}

// listSegments lists the stream's summary segments, sorted by their
// first tree size. Names that are no column of a segment are ignored.
func listSegments(ctx context.Context, st Reader, dir string) ([]*segment, error) {
	byDir := map[string]*segment{}
	for name, err := range st.ListMeta(ctx, dir) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		seg, col, ok := strings.Cut(strings.TrimPrefix(name, dir), "/")
		if !ok {
			continue
		}
		g := byDir[seg]
		if g == nil {
			first, last, ok := parseSegment(seg)
			if !ok {
				continue
			}
			g = &segment{first: first, last: last, fields: map[string]string{}}
			byDir[seg] = g
		}
		col = strings.TrimSuffix(strings.TrimSuffix(col, ".gz"), ".json")
		if col == "time" {
			g.time = name
		} else if f, ok := strings.CutPrefix(col, "field."); ok {
			if field, err := url.PathUnescape(f); err == nil {
				g.fields[field] = name
			}
		}
	}
	out := make([]*segment, 0, len(byDir))
	for _, g := range byDir {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].first != out[j].first {
			return out[i].first < out[j].first
		}
		return out[i].last < out[j].last
	})
	return out, nil
}

func parseSegment(s string) (first, last uint64, ok bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok || len(a) != 20 || len(b) != 20 {
		return 0, 0, false
	}
	first, err1 := strconv.ParseUint(a, 10, 64)
	last, err2 := strconv.ParseUint(b, 10, 64)
	return first, last, err1 == nil && err2 == nil && first <= last
}

// manifestSize is the tree size a manifest's name says its batch starts
// at; false for a name that is not one of ManifestName's.
func manifestSize(name string) (uint64, bool) {
	base := name[strings.LastIndexByte(name, '/')+1:]
	num, ok := strings.CutSuffix(base, ".json")
	if !ok || len(num) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

// columns yields the names of a segment's listed columns.
func (g *segment) columns() iter.Seq[string] {
	return func(yield func(string) bool) {
		if g.time != "" && !yield(g.time) {
			return
		}
		fields := make([]string, 0, len(g.fields))
		for f := range g.fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if !yield(g.fields[f]) {
				return
			}
		}
	}
}
