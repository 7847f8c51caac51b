package record

import "bytes"

// openRecord is the multi-line record being assembled.
type openRecord struct {
	on      bool  // the other fields count only while on
	partial bool  // its last line came without terminator (End)
	off     int64 // first byte
	rawEnd  int64 // end of its last non-blank line: where Raw stops
	end     int64 // past its last line terminator
	lines   int
	cut     cut // where an Automatiko plain entry may end inside it
}

// longLine is a line over MaxLineBytes whose end is not read yet.
type longLine struct {
	on   bool
	off  int64
	head []byte // its first MaxLineBytes bytes
	n    int64  // its length so far
}

func indexNL(b []byte) int { return bytes.IndexByte(b, '\n') }

// line handles the complete line [a, b) whose terminator ends at next
// (next == b for the partial line at End).
func (f *Framer) line(a, b, next int64, partial bool, out []Record) []Record {
	if b-a > int64(f.cfg.MaxLineBytes) {
		out = f.startLong(a, f.win.bytes(a, a+int64(f.cfg.MaxLineBytes)), out)
		f.trunc.n = b - a
		return f.emitLong(next, partial, out)
	}
	raw := f.win.bytes(a, b)
	switch f.classify(raw) {
	case kindBlank:
		return f.blank(b, next, partial, out)
	case kindSingle:
		out = f.closeRecord(out)
		f.orphan = false
		return append(out, Record{Raw: raw, Offset: a, End: next, Partial: partial})
	case kindStart:
		out = f.closeRecord(out)
		f.orphan = false
		f.rec = openRecord{on: true, partial: partial, off: a, rawEnd: b, end: next, lines: 1}
		f.rec.cut.plain = f.cfg.StartPattern == nil || f.isPlainEntry(raw)
		f.rec.cut.line(raw, a, b, next)
		return out
	}
	return f.continuation(raw, a, b, next, partial, out)
}

// blank keeps a blank line inside an open record (trimmed from Raw if it
// trails) and skips it elsewhere.
func (f *Framer) blank(b, next int64, partial bool, out []Record) []Record {
	if !f.rec.on {
		return out
	}
	if !f.fits(b) {
		f.orphan = true
		return f.closeRecord(out)
	}
	f.rec.lines++
	f.rec.end, f.rec.partial = next, partial
	return out
}

func (f *Framer) continuation(raw []byte, a, b, next int64, partial bool, out []Record) []Record {
	if f.rec.on && f.fits(b) {
		f.rec.lines++
		f.rec.rawEnd, f.rec.end, f.rec.partial = b, next, partial
		f.rec.cut.line(raw, a, b, next)
		return out
	}
	if f.rec.on {
		out = f.closeRecord(out)
		f.orphan = true
	}
	return append(out, Record{Raw: raw, Offset: a, End: next, Partial: partial, Orphan: f.orphan})
}

// fits reports whether the open record may grow to end at b.
func (f *Framer) fits(b int64) bool {
	return f.rec.lines < f.cfg.MaxLines && b-f.rec.off <= int64(f.cfg.MaxBytes)
}

// closeRecord emits the open record: two records when text follows the
// closing brace of its plain entry (see cut).
func (f *Framer) closeRecord(out []Record) []Record {
	if !f.rec.on {
		return out
	}
	r := &f.rec
	r.on = false
	if c := &r.cut; c.due() {
		out = append(out, Record{Raw: f.win.bytes(r.off, c.rawEnd), Offset: r.off, End: c.end})
		return append(out, Record{Raw: f.win.bytes(c.rest, r.rawEnd), Offset: c.rest, End: r.end, Partial: r.partial})
	}
	return append(out, Record{Raw: f.win.bytes(r.off, r.rawEnd), Offset: r.off, End: r.end, Partial: r.partial})
}

// startLong begins a line over MaxLineBytes at a; it ends the open record,
// whose later continuation lines become orphans.
func (f *Framer) startLong(a int64, head []byte, out []Record) []Record {
	if f.rec.on {
		out = f.closeRecord(out)
		f.orphan = true
	}
	f.trunc = longLine{on: true, off: a, head: head}
	return out
}

func (f *Framer) emitLong(next int64, partial bool, out []Record) []Record {
	t := f.trunc
	f.trunc = longLine{}
	return append(out, Record{Raw: t.head, Offset: t.off, End: next, Partial: partial, Truncated: true, OriginalLength: t.n})
}

// skip consumes the rest of a long line from rest and returns what follows.
func (f *Framer) skip(rest []byte, out []Record) ([]byte, []Record) {
	j := indexNL(rest)
	if j < 0 {
		f.trunc.n += int64(len(rest))
		return nil, out
	}
	f.trunc.n += int64(j)
	next := f.pos - int64(len(rest)-j) + 1
	out = f.emitLong(next, false, out)
	f.lineOff = next
	return rest[j+1:], out
}

// retain ends a Write. A held line over MaxLineBytes keeps only its head
// (copied, so the chunk is not pinned); the open record and the held line
// stay in the window.
func (f *Framer) retain(out []Record) []Record {
	limit := int64(f.cfg.MaxLineBytes)
	if !f.trunc.on && f.pos-f.lineOff > limit {
		out = f.startLong(f.lineOff, f.win.copy(f.lineOff, f.lineOff+limit), out)
		f.trunc.n = f.pos - f.lineOff
	}
	k := f.lineOff
	switch {
	case f.trunc.on:
		k = f.pos
	case f.rec.on:
		k = f.rec.off
	}
	f.win.keep(k)
	return out
}
