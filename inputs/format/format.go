// Package format turns records into events: json, Automatiko plain, auto;
// category inference, event time, _id. This is the hot path.
package format

import (
	"regexp"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// Options configure a Decoder; they come from an input's common attributes.
type Options struct {
	Format      string         // "json" | "plain" | "auto"
	Location    *time.Location // for timestamps written without a zone; nil means UTC
	StripPrefix *regexp.Regexp // removed from the start of a record before parsing; nil: none
	IDFields    []string       // _id from these fields joined with \x1f; empty: the SHA-256 layout
	IncludeRaw  bool           // keep a plain record in _raw
	Input       string         // input name, for _source.input
}

// Decoder is safe for use by one goroutine at a time.
type Decoder struct {
	opts Options
}

// NewDecoder returns a Decoder for opts.
func NewDecoder(opts Options) *Decoder {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	return &Decoder{opts: opts}
}

// Decode fills e from one complete record. raw is the record as read (prefix
// included, line terminator excluded) and is kept as e.Raw (not copied);
// sourceID is the SHA-256 of the source's first complete line; now is the
// ingest time used when the record has no timestamp. Decode never fails: a
// record that does not parse becomes an unparsed event.
func (d *Decoder) Decode(e *event.Event, raw []byte, src event.Source, sourceID []byte, flags Flags, now time.Time) {
	panic("TODO")
}

// Flags carry what the framer learned about a record.
type Flags struct {
	Partial        bool  // emitted without its newline (EOF, rotated file closed)
	Truncated      bool  // longer than max_line_bytes; raw holds the first max_line_bytes bytes
	OriginalLength int64 // when Truncated
	Orphan         bool  // a continuation line that arrived after its record was closed
}
