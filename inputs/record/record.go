// Package record splits a byte stream into records: lines, and Automatiko
// plain entries that span several lines.
//
// Rules beyond the ones stated on the types:
//   - A line holding only spaces, tabs and CR is blank. Blank lines outside a
//     record are skipped; inside a plain record they are kept unless they
//     trail it (then only End covers them).
//   - A continuation line with no open record becomes a single-line record.
//     It is marked Orphan when its record was closed early (Flush,
//     max_lines, max_bytes or an over-long line); every following
//     continuation line is then an orphan of its own until a start line or,
//     in auto, a JSON line arrives.
//   - The first line of a record is always accepted; max_lines and
//     max_bytes only refuse the lines after it.
//   - At End, a held partial line that continues the open record joins it
//     (the record is then Partial); otherwise it is a record of its own.
//   - A plain record whose last non-blank line does not end with '}' but an
//     earlier line does is emitted as two records: up to that line (the
//     entry) and the lines after it (see cut).
//   - StartPattern is matched unanchored against the line after
//     StripPrefix; anchor it with ^ to test the line start only.
//   - A Format other than "json" or "plain" behaves as "auto".
package record

import "regexp"

// Config holds the framing rules of one input.
type Config struct {
	Format       string         // "json" | "plain" | "auto": which lines may start or continue a record
	StartPattern *regexp.Regexp // multiline.start_pattern; nil: the format's default
	StripPrefix  *regexp.Regexp // removed before classifying a line; nil: none
	MaxLineBytes int            // default 1 MiB
	MaxLines     int            // multiline.max_lines, default 1000
	MaxBytes     int            // multiline.max_bytes, default 1 MiB
}

// Record is one complete record.
type Record struct {
	Raw            []byte // prefix included, line terminator excluded; lines of a multi-line record joined by their \n
	Offset         int64  // source offset of Raw[0]
	End            int64  // source offset just past the record's last line terminator
	Partial        bool   // the last line had no terminator (End call)
	Truncated      bool   // a line over MaxLineBytes: Raw holds its first MaxLineBytes bytes
	OriginalLength int64  // when Truncated: the line's full length
	Orphan         bool   // a continuation line that arrived after its record was closed early (Flush, limits)
}

const mib = 1 << 20

// Framer is a streaming state machine over one source. Not safe for
// concurrent use.
type Framer struct {
	cfg     Config
	json    bool // every line is a record of its own
	auto    bool
	pos     int64 // source offset just past the last byte written
	lineOff int64 // start of the line being read (== pos when none is held)
	orphan  bool  // the last record was closed early: continuations are orphans
	rec     openRecord
	trunc   longLine
	win     window
}

// New returns a Framer that starts at source offset off.
func New(cfg Config, off int64) *Framer {
	if cfg.MaxLineBytes <= 0 {
		cfg.MaxLineBytes = mib
	}
	if cfg.MaxLines <= 0 {
		cfg.MaxLines = 1000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = mib
	}
	f := &Framer{cfg: cfg, pos: off, lineOff: off}
	f.json = cfg.Format == "json"
	f.auto = !f.json && cfg.Format != "plain"
	f.win.reset(off)
	return f
}

// Write consumes the next chunk of the source and appends every record it
// completes to out. The Framer may keep sub-slices of chunk: the caller must
// not modify chunk afterwards (allocate a fresh chunk per read).
func (f *Framer) Write(chunk []byte, out []Record) []Record {
	if len(chunk) == 0 {
		return out
	}
	f.win.begin(chunk)
	f.pos += int64(len(chunk))
	rest := chunk
	if f.trunc.on {
		rest, out = f.skip(rest, out)
	}
	for {
		j := indexNL(rest)
		if j < 0 {
			break
		}
		b := f.pos - int64(len(rest)-j)
		out = f.line(f.lineOff, b, b+1, false, out)
		f.lineOff = b + 1
		rest = rest[j+1:]
	}
	return f.retain(out)
}

// Flush closes an open multi-line record (flush_timeout passed with no new
// line) and appends it. A held partial line stays held.
func (f *Framer) Flush(out []Record) []Record {
	if !f.rec.on {
		return out
	}
	out = f.closeRecord(out)
	f.orphan = true
	f.win.drop(f.lineOff)
	return out
}

// End is called at the end of the source (stdin EOF, rotated file read to
// its end): it emits the open record and the held partial line (Partial).
func (f *Framer) End(out []Record) []Record {
	switch {
	case f.trunc.on:
		out = f.emitLong(f.pos, true, out)
	case f.pos > f.lineOff:
		out = f.line(f.lineOff, f.pos, f.pos, true, out)
	}
	if f.rec.on {
		out = f.closeRecord(out)
	}
	f.lineOff = f.pos
	f.win.reset(f.pos)
	return out
}

// Pending reports whether a multi-line record is open, so that the caller
// runs a flush_timeout timer.
func (f *Framer) Pending() bool { return f.rec.on }

// Checkpoint is the offset to resume from after everything emitted so far is
// safe: the start of the open record or of the held partial line, else the
// offset after the last byte consumed.
func (f *Framer) Checkpoint() int64 {
	switch {
	case f.trunc.on:
		return f.trunc.off
	case f.rec.on:
		return f.rec.off
	}
	return f.lineOff
}
