// Package record splits a byte stream into records: lines, and Automatiko
// plain entries that span several lines.
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
	Orphan         bool   // a continuation line that arrived after its record was closed by Flush
}

// Framer is a streaming state machine over one source. Not safe for
// concurrent use.
type Framer struct{}

// New returns a Framer that starts at source offset off.
func New(cfg Config, off int64) *Framer { panic("TODO") }

// Write consumes the next chunk of the source and appends every record it
// completes to out. The Framer may keep sub-slices of chunk: the caller must
// not modify chunk afterwards (allocate a fresh chunk per read).
func (f *Framer) Write(chunk []byte, out []Record) []Record { panic("TODO") }

// Flush closes an open multi-line record (flush_timeout passed with no new
// line) and appends it. A held partial line stays held.
func (f *Framer) Flush(out []Record) []Record { panic("TODO") }

// End is called at the end of the source (stdin EOF, rotated file read to
// its end): it emits the open record and the held partial line (Partial).
func (f *Framer) End(out []Record) []Record { panic("TODO") }

// Pending reports whether a multi-line record is open, so that the caller
// runs a flush_timeout timer.
func (f *Framer) Pending() bool { panic("TODO") }

// Checkpoint is the offset to resume from after everything emitted so far is
// safe: the start of the open record or of the held partial line, else the
// offset after the last byte consumed.
func (f *Framer) Checkpoint() int64 { panic("TODO") }
