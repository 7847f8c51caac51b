package index

import (
	"bytes"
	"slices"
	"strconv"
	"time"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// Builder gathers a batch's index while it fills: the event-time range
// and, per index field, the distinct values. It is on the sender's hot
// path (one Add per stored event): a value equal to the field's previous
// one costs a byte comparison, a value already seen a map lookup that
// does not allocate; only a new distinct value is copied. Once a field's
// distinct values are more than an exact set holds, it keeps only their
// hashes (the filter they become needs no more), appended to a list that
// is sorted and rid of repeats now and then: no copy, no string, no map.
type Builder struct {
	fields   []fieldAcc
	keys     keys // finds the fields' members in a line
	skipHead bool // no field is an envelope key: the line's head is not scanned
	count    int
	min, max int64 // event time, Unix nanoseconds

	capTag uint64 // the capture whose positions AddCaptured uses; 0: none
	capMap []int  // capture field number -> index of b.fields, or -1

	top []event.Field // AddTop's members, reused
}

type fieldAcc struct {
	name   string
	prev   []byte // the field's value in the last event that had it
	seen   bool   // prev is set
	set    map[string]struct{}
	size   int      // what set takes stored (exactSize)
	hashed bool     // set outgrew an exact set: hashes holds the values instead
	hashes []uint64 // valueHash of the values, repeats possible past compacted
	unique int      // hashes[:unique] are sorted and distinct
	recent *recent  // hashes appended lately: most repeats are not appended again
	exact  bool     // never hashes: Gaps checks values
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

// NewExactBuilder is NewBuilder that keeps every distinct value, also
// past an exact set: for verify, whose Gaps then checks the filters of
// any record version.
func NewExactBuilder(fields []string) *Builder {
	b := NewBuilder(fields)
	for i := range b.fields {
		b.fields[i].exact = true
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

// UseCapture lets AddCaptured take the values from the positions that
// an event.Capture of names (tagged tag) noted when the envelope was
// rendered. It is used only when names hold every index field and none
// is an envelope key (those are rendered outside the capture).
func (b *Builder) UseCapture(tag uint64, names []string) {
	b.capTag, b.capMap = 0, nil
	if !b.skipHead {
		return
	}
	m := make([]int, len(names))
	found := 0
	for i, n := range names {
		m[i] = slices.IndexFunc(b.fields, func(f fieldAcc) bool { return f.name == n })
		if m[i] >= 0 {
			found++
		}
	}
	if found == len(b.fields) {
		b.capTag, b.capMap = tag, m
	}
}

// AddCaptured is Add with the value positions of the line's buffer
// record: a record noted by the capture given to UseCapture is not
// scanned; any other is.
func (b *Builder) AddCaptured(envelope []byte, t time.Time, tag uint64, positions []byte) {
	if tag == 0 || tag != b.capTag || len(b.fields) == 0 {
		b.Add(envelope, t)
		return
	}
	b.addTime(t)
	if len(positions)%event.PositionSize != 0 {
		b.keys.each(envelope[headEnd(envelope):], b.addValue) // malformed: the line itself says what it holds
		return
	}
	for p := positions; len(p) > 0; p = p[event.PositionSize:] {
		field, off, n := event.Position(p)
		if field < len(b.capMap) && b.capMap[field] >= 0 && off+n <= len(envelope) {
			b.fields[b.capMap[field]].addValue(envelope[off : off+n])
		}
	}
}

// Add indexes one stored envelope line with event time t.
func (b *Builder) Add(envelope []byte, t time.Time) {
	b.addTime(t)
	if len(b.fields) == 0 { // index_fields = []: the time range only, no scan
		return
	}
	if b.skipHead {
		envelope = envelope[headEnd(envelope):]
	}
	b.keys.each(envelope, b.addValue)
}

func (b *Builder) addTime(t time.Time) {
	ns := t.UnixNano()
	if b.count == 0 || ns < b.min {
		b.min = ns
	}
	if b.count == 0 || ns > b.max {
		b.max = ns
	}
	b.count++
}

func (b *Builder) addValue(i int, raw []byte) { b.fields[i].addValue(raw) }

func (f *fieldAcc) addValue(raw []byte) {
	v, ok := canonical(raw)
	if !ok {
		return
	}
	if f.hashed {
		if h := valueHash(v); f.recent.add(h) {
			f.hashes = append(f.hashes, h)
			if len(f.hashes) >= 2*f.unique+compactEvery {
				f.compact()
			}
		}
		return
	}
	if f.seen && bytes.Equal(v, f.prev) {
		return
	}
	f.prev, f.seen = append(f.prev[:0], v...), true
	if _, ok := f.set[string(v)]; ok {
		return
	}
	f.set[string(v)] = struct{}{}
	if f.size += exactSize(string(v)); f.size > exactMaxBytes && !f.exact {
		for v := range f.set {
			f.hashes = append(f.hashes, valueHash([]byte(v)))
		}
		clear(f.set)
		f.compact()
		if f.recent == nil {
			f.recent = new(recent)
		}
		f.recent.reset()
		f.hashed = true
	}
}

// recent is a direct-mapped table of hashes seen lately, by their low
// bits: a value that recurs within a batch (an instance's id, its
// business key) is appended to the list once per eviction, not once per
// event, which keeps the list and its sorting short.
type recent [256]uint64

// add reports whether h is not in the table, and puts it there.
func (r *recent) add(h uint64) bool {
	slot := &r[h%uint64(len(r))]
	if *slot == h {
		return false
	}
	*slot = h
	return true
}

// reset empties the table: slot i holds i+1, a hash that belongs to
// another slot, so that no hash is taken for one seen.
func (r *recent) reset() {
	for i := range r {
		r[i] = uint64(i + 1)
	}
}

// compactEvery bounds a hashed field's list: it is compacted once it holds
// this many more entries than twice its distinct values, so it stays
// within about twice the distinct values' hashes, sorted O(log n) times.
const compactEvery = 4096

// compact sorts the hashes and drops repeats.
func (f *fieldAcc) compact() {
	slices.Sort(f.hashes)
	f.hashes = slices.Compact(f.hashes)
	f.unique = len(f.hashes)
}

// distinct are the hashes of the values, once each, sorted.
func (f *fieldAcc) distinct() []uint64 {
	if f.unique != len(f.hashes) {
		f.compact()
	}
	return f.hashes
}

// Reset empties the builder for the next batch, keeping its memory.
func (b *Builder) Reset() {
	b.count, b.min, b.max = 0, 0, 0
	for i := range b.fields {
		f := &b.fields[i]
		clear(f.set)
		f.seen, f.prev, f.size, f.hashed, f.hashes, f.unique = false, f.prev[:0], 0, false, f.hashes[:0], 0
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
		if f.hashed {
			hashes := f.distinct()
			r.Fields[i] = newFilter(f.name, len(hashes))
			for _, h := range hashes {
				r.Fields[i].addHash(h)
			}
			continue
		}
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
// a field r does not index is not checked. A field whose values were
// kept as hashes (not a NewExactBuilder) is checked against a filter of
// version 1 (SHA-256) as covered.
func (b *Builder) Gaps(r *Record) []Gap {
	var out []Gap
	for i := range b.fields {
		f := &b.fields[i]
		held := r.Field(f.name)
		if held == nil {
			continue
		}
		var hashes []uint64
		if f.hashed {
			hashes = f.distinct()
		}
		g := Gap{Field: f.name, Distinct: len(f.set) + len(hashes), Set: "set"}
		if held.Bloom != nil {
			g.Set = "filter"
		}
		for v := range f.set {
			if !held.Has(v) {
				g.Missing++
			}
		}
		if len(hashes) > 0 {
			g.Missing += hashesMissing(hashes, held)
		}
		if g.Missing > 0 {
			out = append(out, g)
		}
	}
	return out
}

// AddTop indexes a stored line by its top-level members only: what a
// record must cover, since `field == 'x'` compares top-level fields
// (Add also takes nested members of the same name, which a record may
// hold: false positives only). verify checks records with it. A line
// that is not a JSON object adds its time only.
func (b *Builder) AddTop(line []byte, t time.Time) {
	b.addTime(t)
	if len(b.fields) == 0 {
		return
	}
	b.top, _ = entry.ScanObject(line, b.top[:0])
	for _, m := range b.top {
		key := m.Key
		if bytes.IndexByte(key, '\\') >= 0 {
			if s, err := strconv.Unquote(`"` + string(key) + `"`); err == nil {
				key = []byte(s)
			}
		}
		for i := range b.fields {
			if b.fields[i].name == string(key) {
				b.fields[i].addValue(m.Value)
			}
		}
	}
}

// hashesMissing counts the values of hashes that held does not cover.
func hashesMissing(hashes []uint64, held *FieldSet) int {
	var has func(uint64) bool
	switch {
	case held.Bloom == nil:
		exact := make(map[uint64]bool, len(held.Values))
		for _, v := range held.Values {
			exact[valueHash([]byte(v))] = true
		}
		has = func(h uint64) bool { return exact[h] }
	case held.Hash == HashXX:
		has = held.hasHash
	default:
		return 0 // a SHA-256 filter needs the values themselves
	}
	missing := 0
	for _, h := range hashes {
		if !has(h) {
			missing++
		}
	}
	return missing
}
