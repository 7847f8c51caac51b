// Package event holds the unit every stage shares: one audit entry with its
// raw bytes, its parsed top-level items and the envelope the agent adds.
package event

import (
	"io"
	"time"
)

// Format says how an event's Body was parsed.
type Format uint8

const (
	FormatUnparsed Format = iota // Body did not parse; Fields holds "message"
	FormatJSON                   // Fields' values are raw JSON, spliced on output
	FormatPlain                  // Automatiko's plain map rendering
)

// Kind says how a Field's Value is stored.
type Kind uint8

const (
	KindJSON   Kind = iota // Value is a raw JSON value, written as is
	KindString             // Value is the bytes of a string, JSON-quoted on output
	KindNumber             // Value is a JSON number literal
)

// Field is one top-level item. Key and Value usually alias the event's Raw
// bytes, so a field costs no allocation.
type Field struct {
	Key   []byte
	Value []byte
	Kind  Kind
}

// Source says where a record was read.
type Source struct {
	Input  string // input name
	Key    string // the source's identity within its input (a file's fingerprint); "" for stdin
	Path   string // file path; "-" for stdin
	Offset int64  // byte offset of the record's first byte
	End    int64  // offset just past the record and its line terminator
}

// Event is one audit entry on its way through a pipeline.
type Event struct {
	Raw    []byte // the record as read: prefix included, line terminator excluded
	Body   []byte // Raw after strip_prefix: the bytes that were parsed
	Format Format
	Fields []Field // top-level items in source order (duplicates kept; last wins)

	// Meta holds the agent's own flags, rendered right after _source:
	// _time_source, _time_ambiguous, _partial, _truncated, _original_length,
	// _parse_error, _raw_b64, _raw, _expr_error.
	Meta []Field
	// Added holds keys set by processors, rendered after the source keys.
	Added []Field

	Category    string
	OwnCategory bool // the source carries its own string "category" item

	ID       string    // _id
	Seq      uint64    // _seq, assigned when the event enters the buffer
	Time     time.Time // event time, UTC
	TimeText string    // _time as rendered: RFC 3339, UTC, the source's fraction digits
	Source   Source

	// Envelope is the event's rendered SPEC §4 envelope when the event was
	// read back from the buffer; AppendJSON then writes it as it is, and
	// Raw is nil unless the buffer kept the record as read.
	Envelope []byte
}

// AckFunc reports the fate of a batch of events read by an input. It is
// called exactly once: nil when every event is safe, else the error.
type AckFunc func(err error)

// Batch is what a sender hands to an output: events of one partition.
type Batch struct {
	Pipeline  string
	Output    string
	Stream    string // random id of the pipeline's state
	ID        string // <stream>-<first_seq, 20 digits>
	Partition string // the output's template rendered with event fields
	FirstSeq  uint64
	LastSeq   uint64
	Time      time.Time // event time of the first event: batch-level template specials
	Count     int       // number of events
	Events    []*Event  // the events; nil for a journaled batch (Body holds them)

	// For journaled outputs (outputs.Journaled): the batch as stored,
	// encoded and spooled under data_dir before the first Write, so that a
	// re-send after a crash is byte for byte the same object.
	Key         string      // rendered key / name, extension included
	Format      string      // "ndjson" | "json_array"
	Compression string      // "none" | "gzip" | "zstd"
	ContentType string      // per SPEC §5
	Body        io.ReaderAt // the encoded bytes
	Size        int64       // len of Body
	SHA256      string      // lowercase hex of Body's SHA-256

	// For outputs that store the batch's integrity manifest in the batch's
	// own transaction (outputs.InlineManifest): its bytes and chain name.
	Manifest     []byte
	ManifestName string
	// Index is the batch's index record (agent/index), whose sha256 the
	// manifest holds: stored with the manifest, under the index name
	// that parallels ManifestName.
	Index []byte
}
