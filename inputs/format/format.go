// Package format turns records into events: json, Automatiko plain, auto;
// category inference, event time, _id. This is the hot path.
package format

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"regexp"
	"time"

	"github.com/auditship/auditship/internal/entry"
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
	opts   Options
	prefix *regexp.Regexp // StripPrefix anchored at the start
	hash   hash.Hash
	sum    [sha256.Size]byte
	hdr    [8]byte
	buf    []byte // scratch: _id text from id_fields
	plain  plainParser
	keys   entry.Index // of the event being decoded
	fields fieldSlab   // Fields of fresh events
	text   textArena   // _id and _time strings
	ingest struct {    // the last ingest time rendered as _time
		at   time.Time
		text string
	}
}

// NewDecoder returns a Decoder for opts.
func NewDecoder(opts Options) *Decoder {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	d := &Decoder{opts: opts, hash: sha256.New()}
	if opts.StripPrefix != nil {
		// The pattern compiled once already, so wrapping it cannot fail.
		d.prefix = regexp.MustCompile(`^(?:` + opts.StripPrefix.String() + `)`)
	}
	return d
}

// Decode fills e from one complete record. raw is the record as read (prefix
// included, line terminator excluded) and is kept as e.Raw (not copied);
// sourceID is the SHA-256 of the source's first complete line; now is the
// ingest time used when the record has no timestamp. Decode never fails: a
// record that does not parse becomes an unparsed event.
func (d *Decoder) Decode(e *event.Event, raw []byte, src event.Source, sourceID []byte, flags Flags, now time.Time) {
	reset(e, raw, src, d.opts.Input)
	e.Body = d.strip(raw)
	d.parse(e, flags)
	d.keys.Build(e.Fields)
	entry.Infer(e, &d.keys)
	if flags.Partial {
		e.Meta = append(e.Meta, metaTrue(keyPartial))
	}
	d.setTime(e, now)
	d.setID(e, sourceID)
}

// Flags carry what the framer learned about a record.
type Flags struct {
	Partial        bool  // emitted without its newline (EOF, rotated file closed)
	Truncated      bool  // longer than max_line_bytes; raw holds the first max_line_bytes bytes
	OriginalLength int64 // when Truncated
	Orphan         bool  // a continuation line that arrived after its record was closed
}

func reset(e *event.Event, raw []byte, src event.Source, input string) {
	src.Input = input
	*e = event.Event{
		Raw:    raw,
		Fields: e.Fields[:0],
		Meta:   e.Meta[:0],
		Added:  e.Added[:0],
		Source: src,
	}
}

func (d *Decoder) strip(raw []byte) []byte {
	if d.prefix == nil {
		return raw
	}
	if loc := d.prefix.FindIndex(raw); loc != nil {
		return raw[loc[1]:]
	}
	return raw
}

// parse fills Fields and Category, or makes e unparsed.
func (d *Decoder) parse(e *event.Event, flags Flags) {
	switch {
	case flags.Orphan:
		unparsed(e, "orphan continuation")
	case flags.Truncated:
		truncated(e, flags.OriginalLength)
	case d.isJSON(e.Body):
		d.parseJSON(e)
	case d.isPlain(e.Body):
		d.parsePlain(e)
	default:
		unparsed(e, "neither JSON nor an Automatiko plain entry")
	}
}

func (d *Decoder) isJSON(b []byte) bool {
	switch d.opts.Format {
	case "json":
		return true
	case "plain":
		return false
	}
	return bytes.HasPrefix(b, []byte(`{"`))
}

func (d *Decoder) isPlain(b []byte) bool {
	return d.opts.Format == "plain" || bytes.HasPrefix(b, plainStart)
}
