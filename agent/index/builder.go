package index

import (
	"bytes"
	"slices"
	"time"
)

// Builder gathers a batch's index while it fills: the event-time range
// and, per index field, the distinct values. It is on the sender's hot
// path (one Add per stored event): a value equal to the field's previous
// one costs a byte comparison, a value already seen a map lookup that
// does not allocate; only a new distinct value is copied.
type Builder struct {
	fields   []fieldAcc
	keys     keys // finds the fields' members in a line
	skipHead bool // no field is an envelope key: the line's head is not scanned
	count    int
	min, max int64 // event time, Unix nanoseconds
}

type fieldAcc struct {
	name string
	prev []byte // the field's value in the last event that had it
	seen bool   // prev is set
	set  map[string]struct{}
}

// NewBuilder indexes the top-level fields named (index_fields).
func NewBuilder(fields []string) *Builder {
	b := &Builder{keys: newKeys(fields), skipHead: true}
	for _, f := range fields {
		if slices.Contains(envelopeKeys, f) {
			b.skipHead = false
		}
		b.fields = append(b.fields, fieldAcc{name: f, set: map[string]struct{}{}})
	}
	return b
}

// Fields are the index fields, in index_fields order.
func (b *Builder) Fields() []string {
	out := make([]string, len(b.fields))
	for i, f := range b.fields {
		out[i] = f.name
	}
	return out
}

// Len is the number of events added since the last Reset.
func (b *Builder) Len() int { return b.count }

// Add indexes one stored envelope line with event time t.
func (b *Builder) Add(envelope []byte, t time.Time) {
	ns := t.UnixNano()
	if b.count == 0 || ns < b.min {
		b.min = ns
	}
	if b.count == 0 || ns > b.max {
		b.max = ns
	}
	b.count++
	if len(b.fields) == 0 { // index_fields = []: the time range only, no scan
		return
	}
	if b.skipHead {
		envelope = envelope[headEnd(envelope):]
	}
	b.keys.each(envelope, b.addValue)
}

func (b *Builder) addValue(i int, raw []byte) { b.fields[i].addValue(raw) }

func (f *fieldAcc) addValue(raw []byte) {
	v, ok := canonical(raw)
	if !ok || f.seen && bytes.Equal(v, f.prev) {
		return
	}
	if _, ok := f.set[string(v)]; !ok {
		f.set[string(v)] = struct{}{}
	}
	f.prev, f.seen = append(f.prev[:0], v...), true
}

// Reset empties the builder for the next batch, keeping its memory.
func (b *Builder) Reset() {
	b.count, b.min, b.max = 0, 0, 0
	for i := range b.fields {
		f := &b.fields[i]
		clear(f.set)
		f.seen, f.prev = false, f.prev[:0]
	}
}

// Fill sets r's time range and field sets from what was added.
func (b *Builder) Fill(r *Record) {
	r.Version = RecordVersion
	r.MinTime, r.MaxTime = time.Time{}, time.Time{}
	if b.count > 0 {
		r.MinTime, r.MaxTime = time.Unix(0, b.min).UTC(), time.Unix(0, b.max).UTC()
	}
	r.Fields = make([]FieldSet, len(b.fields))
	for i := range b.fields {
		f := &b.fields[i]
		values := make([]string, 0, len(f.set))
		for v := range f.set {
			values = append(values, v)
		}
		slices.Sort(values)
		r.Fields[i] = newFieldSet(f.name, values)
	}
}

// TimeRange is the event-time range of what was added (zero times when
// nothing was).
func (b *Builder) TimeRange() (time.Time, time.Time) {
	if b.count == 0 {
		return time.Time{}, time.Time{}
	}
	return time.Unix(0, b.min).UTC(), time.Unix(0, b.max).UTC()
}

// Gap is an index field of a record that lacks values of events added to
// a builder: Missing of their Distinct values.
type Gap struct {
	Field             string
	Missing, Distinct int
	Set               string // "set" or "filter": what the record holds
}

// Gaps lists the index fields whose values added here r does not cover;
// a field r does not index is not checked.
func (b *Builder) Gaps(r *Record) []Gap {
	var out []Gap
	for i := range b.fields {
		f := &b.fields[i]
		held := r.Field(f.name)
		if held == nil {
			continue
		}
		g := Gap{Field: f.name, Distinct: len(f.set), Set: "set"}
		if held.Bloom != nil {
			g.Set = "filter"
		}
		for v := range f.set {
			if !held.Has(v) {
				g.Missing++
			}
		}
		if g.Missing > 0 {
			out = append(out, g)
		}
	}
	return out
}
