package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/auditship/auditship/agent/index"
)

// KindIndex: a batch's index record (issue 11) is missing, altered (its
// sha256 is not the one its manifest holds), unreadable, about another
// batch, or does not cover the batch's events (an event time outside its
// range, a field value its set or filter lacks): replay and export would
// skip events they should find.
const KindIndex = "index"

// indexCheck is what verify keeps of the index record of the batch being
// read: the record, and a builder the batch's lines are fed to.
type indexCheck struct {
	name string
	rec  *index.Record
	b    *index.Builder
}

// loadIndex reads the index record m holds the sha256 of, reporting what
// is wrong with it; nil when there is none to check the lines against.
func (s *streamCheck) loadIndex(ctx context.Context, m *Manifest) (*indexCheck, error) {
	sums, err := s.summaryEntries(ctx, m)
	if err != nil {
		return nil, err
	}
	if m.Index == "" {
		s.checkSummary(sums, nil, m)
		return nil, nil // a batch stored before index records
	}
	r := s.v.report
	name := IndexName(s.id.pipeline, s.v.opts.Output, s.id.stream, m.SizeBefore)
	raw, err := s.v.st.GetMeta(ctx, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.add(KindIndex, name, m.Seqs, "missing: manifest of %s holds its sha256 %s", m.Key, m.Index)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	s.v.report.Bytes += int64(len(raw))
	if d := Digest(raw); d != m.Index {
		r.add(KindIndex, name, m.Seqs, "altered: its sha256 is %s, the manifest of %s says %s", d, m.Key, m.Index)
		return nil, nil
	}
	rec, err := index.Parse(raw)
	if err != nil {
		r.add(KindIndex, name, m.Seqs, "unreadable: %v", err)
		return nil, nil
	}
	if rec.Key != m.Key || rec.SizeBefore != m.SizeBefore {
		r.add(KindIndex, name, m.Seqs, "describes batch %s at tree size %d, its manifest %s at %d",
			rec.Key, rec.SizeBefore, m.Key, m.SizeBefore)
		return nil, nil
	}
	s.checkSummary(sums, rec, m)
	fields := make([]string, len(rec.Fields))
	for i, f := range rec.Fields {
		fields[i] = f.Name
	}
	return &indexCheck{name: name, rec: rec, b: index.NewExactBuilder(fields)}, nil
}

// add feeds one stored line to the check.
func (c *indexCheck) add(line []byte) {
	c.b.AddTop(line, lineTime(line))
}

// judgeIndex reports the batch's events that the index record does not
// cover. A record may cover more (a manifest resealed without events the
// store refused keeps its record: false positives only).
func (s *streamCheck) judgeIndex(c *indexCheck, m *Manifest) {
	if c == nil || c.b.Len() == 0 {
		return
	}
	r := s.v.report
	lo, hi := c.b.TimeRange()
	if lo.Before(c.rec.MinTime) || hi.After(c.rec.MaxTime) {
		r.add(KindIndex, c.name, m.Seqs, "does not cover the events of %s: their times span %s to %s, the record says %s to %s",
			m.Key, stamp(lo), stamp(hi), stamp(c.rec.MinTime), stamp(c.rec.MaxTime))
	}
	for _, g := range c.b.Gaps(c.rec) {
		r.add(KindIndex, c.name, m.Seqs, "does not cover the events of %s: %d of their %d distinct %s values are not in its %s",
			m.Key, g.Missing, g.Distinct, g.Field, g.Set)
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

var timePrefix = []byte(`,"_time":"`)

// lineTime reads an envelope's _time, which SPEC §4 puts third; zero when
// the line has none.
func lineTime(line []byte) time.Time {
	i := bytes.Index(line, timePrefix)
	if i < 0 {
		return time.Time{}
	}
	rest := line[i+len(timePrefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t
}
