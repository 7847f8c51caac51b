package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// SummaryVersion is the index summary format written here: version 2
// holds filters placed by xxHash64, as index records of version 2 do
// (version 1, still read, by SHA-256).
const SummaryVersion = 2

// A Summary is one column of an index summary: what the index records of
// a segment of consecutive batches of a stream hold of one index field
// (or, the time column, their time ranges), batch by batch in tree order.
// A query that constrains one field reads that field's column of each
// segment instead of every batch's whole record, and then the records of
// the batches the columns leave in. A column only ever rules batches out:
// a batch it does not list, or lists without a set, may match.
type Summary struct {
	Version int            `json:"v"`
	Field   string         `json:"field,omitempty"` // the index field; "" in the time column
	Time    bool           `json:"time,omitempty"`  // the time column
	Batches []SummaryEntry `json:"batches"`
}

// SummaryEntry is one batch in a column: its record's tree_size_before
// and the record's set of the column's field (Set; nil when the record
// does not index the field) or its time range.
type SummaryEntry struct {
	SizeBefore uint64
	Set        *FieldSet // without its Name (the column's Field)
	MinTime    time.Time
	MaxTime    time.Time
}

// summaryEntry is how an entry is stored: compact, a set's members
// inline, N present exactly when the record indexes the field.
type summaryEntry struct {
	S      uint64    `json:"s"`
	N      *int      `json:"n,omitempty"`
	Values []string  `json:"values,omitempty"`
	Bloom  []byte    `json:"bloom,omitempty"`
	K      int       `json:"k,omitempty"`
	H      string    `json:"h,omitempty"`
	Min    time.Time `json:"min,omitzero"`
	Max    time.Time `json:"max,omitzero"`
}

func (e SummaryEntry) MarshalJSON() ([]byte, error) {
	w := summaryEntry{S: e.SizeBefore, Min: e.MinTime, Max: e.MaxTime}
	if e.Set != nil {
		n := e.Set.N
		w.N, w.Values, w.Bloom, w.K, w.H = &n, e.Set.Values, e.Set.Bloom, e.Set.K, e.Set.Hash
	}
	return json.Marshal(w)
}

func (e *SummaryEntry) UnmarshalJSON(b []byte) error {
	var w summaryEntry
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = SummaryEntry{SizeBefore: w.S, MinTime: w.Min, MaxTime: w.Max}
	if w.N != nil {
		e.Set = &FieldSet{N: *w.N, Values: w.Values, Bloom: w.Bloom, K: w.K, Hash: w.H}
	}
	return nil
}

// Summarize returns the columns of a segment's index records (in tree
// order): one per field any of them indexes, in the order the records
// name them, then the time column. Every column lists every record.
func Summarize(recs []*Record) []*Summary {
	var fields []string
	for _, r := range recs {
		for _, f := range r.Fields {
			if !slices.Contains(fields, f.Name) {
				fields = append(fields, f.Name)
			}
		}
	}
	out := make([]*Summary, 0, len(fields)+1)
	for _, name := range fields {
		s := &Summary{Version: SummaryVersion, Field: name, Batches: make([]SummaryEntry, len(recs))}
		for i, r := range recs {
			s.Batches[i].SizeBefore = r.SizeBefore
			if fs := r.Field(name); fs != nil {
				c := *fs
				c.Name = ""
				s.Batches[i].Set = &c
			}
		}
		out = append(out, s)
	}
	t := &Summary{Version: SummaryVersion, Time: true, Batches: make([]SummaryEntry, len(recs))}
	for i, r := range recs {
		t.Batches[i] = SummaryEntry{SizeBefore: r.SizeBefore, MinTime: r.MinTime, MaxTime: r.MaxTime}
	}
	return append(out, t)
}

// Marshal returns the column's stored bytes: compact JSON, gzipped when
// that is smaller (gz true). The same column always gives the same bytes.
func (s *Summary) Marshal() (data []byte, gz bool) {
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	w.Write(raw)
	w.Close()
	if buf.Len() < len(raw) {
		return buf.Bytes(), true
	}
	return raw, false
}

// gzipWriters keep the compressors of Marshal between columns: each holds
// about 1 MiB of tables, and a checkpoint writes several columns for
// every output of every pipeline at once (at shutdown, all of them).
var gzipWriters = sync.Pool{New: func() any {
	w, err := gzip.NewWriterLevel(nil, gzip.BestCompression)
	if err != nil {
		panic(err)
	}
	return w
}}

// ParseSummary decodes a stored column, gzipped or not.
func ParseSummary(b []byte) (*Summary, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("index summary: %w", err)
		}
		if b, err = io.ReadAll(io.LimitReader(r, 256<<20)); err != nil {
			return nil, fmt.Errorf("index summary: %w", err)
		}
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("index summary: %w", err)
	}
	if s.Version < 1 || s.Version > SummaryVersion {
		return nil, fmt.Errorf("index summary version %d, want 1 to %d", s.Version, SummaryVersion)
	}
	if s.Time == (s.Field != "") {
		return nil, fmt.Errorf("index summary: a column is of one field or of the time ranges")
	}
	return &s, nil
}

// Columns are the columns of a summary that can rule batches out for q:
// the fields its terms constrain, and the time column when it has a time
// bound.
func (q *Query) Columns() (fields []string, times bool) {
	if q == nil {
		return nil, false
	}
	for _, t := range q.terms {
		if !slices.Contains(fields, t.field) {
			fields = append(fields, t.field)
		}
	}
	return fields, !q.Since.IsZero() || !q.Until.IsZero()
}

// RuledOut returns the tree sizes of the batches that, by this column,
// certainly hold no event q matches: as Record.MayMatch decides on the
// column's part of their records.
func (s *Summary) RuledOut(q *Query) []uint64 {
	if q == nil {
		return nil
	}
	var out []uint64
	for i := range s.Batches {
		e := &s.Batches[i]
		if s.Time {
			if (!q.Since.IsZero() && !e.MaxTime.IsZero() && e.MaxTime.Before(q.Since)) ||
				(!q.Until.IsZero() && !e.MinTime.IsZero() && !e.MinTime.Before(q.Until)) {
				out = append(out, e.SizeBefore)
			}
			continue
		}
		if e.Set == nil {
			continue
		}
		for _, t := range q.terms {
			if t.field == s.Field && !e.Set.HasAny(t.values) {
				out = append(out, e.SizeBefore)
				break
			}
		}
	}
	return out
}

// Disagrees explains how entry e of the column differs from r, the index
// record of its batch; "" when it says what r says.
func (s *Summary) Disagrees(e *SummaryEntry, r *Record) string {
	if s.Time {
		if !e.MinTime.Equal(r.MinTime) || !e.MaxTime.Equal(r.MaxTime) {
			return fmt.Sprintf("time range %s to %s, its index record says %s to %s",
				stampOf(e.MinTime), stampOf(e.MaxTime), stampOf(r.MinTime), stampOf(r.MaxTime))
		}
		return ""
	}
	fs := r.Field(s.Field)
	switch {
	case fs == nil && e.Set == nil:
		return ""
	case fs == nil:
		return fmt.Sprintf("a set of %s, which its index record does not index", s.Field)
	case e.Set == nil:
		return fmt.Sprintf("no set of %s, which its index record indexes", s.Field)
	}
	if e.Set.N != fs.N || e.Set.K != fs.K || e.Set.Hash != fs.Hash || !slices.Equal(e.Set.Values, fs.Values) ||
		!bytes.Equal(e.Set.Bloom, fs.Bloom) || (e.Set.Bloom == nil) != (fs.Bloom == nil) {
		return fmt.Sprintf("another set of %s than its index record", s.Field)
	}
	return ""
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
