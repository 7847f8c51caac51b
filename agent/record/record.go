// Package record is what the buffer holds: event records (a small binary
// header and the rendered envelope) and drop records, and the Encoder that
// turns a read batch into them.
package record

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// Event records in the buffer: a small binary header with what senders
// need without parsing (time, ids, source), then the rendered envelope —
// so a sender writes the stored bytes as they are. Written by hand because
// it is the hot path: one varint header and a copy, no reflection.
//
//	version(1) flags(1) time-unix-nanos(varint) id _time category input key path (uvarint length + bytes each)
//	offset end (uvarint) [raw (uvarint length + bytes) if flagRaw]
//	version 1: envelope (the rest)
//	version 3: envelope, positions (count x event.PositionSize), count(1), capture tag (8, little endian)
//
// Version 3 records carry where the index fields' values lie in the
// envelope (event.Capture) in a trailer, so the envelope is rendered in
// place and never moved; a binary that knows only version 1 refuses them
// rather than reading the trailer as envelope bytes. Version 2, written by
// an earlier build, held the same tag and positions between the head and
// the envelope (which had to be moved to make room): it is still read.
const (
	recVersion          = 1
	recVersionCaptureV2 = 2
	recVersionCapture   = 3
	flagRaw             = 1 // the record as read is kept (stdout plain needs it)

	trailerSize = 1 + 8 // count and tag
)

var ErrBad = errors.New("malformed event record")

// AppendEvent encodes e; the envelope is rendered into the record.
func AppendEvent(dst []byte, e *event.Event, keepRaw bool) []byte {
	return e.AppendJSON(appendHead(dst, recVersion, e, keepRaw))
}

// AppendEventCapture is AppendEvent that also records where the values
// of c's keys lie in the envelope (a version 3 record; also when it has
// none of them), unless they lie beyond what positions can say.
func AppendEventCapture(dst []byte, e *event.Event, keepRaw bool, c *event.Capture) []byte {
	start := len(dst)
	dst = e.AppendJSONCapture(appendHead(dst, recVersionCapture, e, keepRaw), c)
	pos, ok := c.Positions()
	if !ok {
		dst[start] = recVersion
		return dst
	}
	dst = append(append(dst, pos...), byte(len(pos)/event.PositionSize))
	return binary.LittleEndian.AppendUint64(dst, c.Tag)
}

func appendHead(dst []byte, version byte, e *event.Event, keepRaw bool) []byte {
	flags := byte(0)
	if keepRaw {
		flags |= flagRaw
	}
	dst = append(dst, version, flags)
	dst = binary.AppendVarint(dst, e.Time.UnixNano())
	for _, s := range [...]string{e.ID, e.TimeText, e.Category, e.Source.Input, e.Source.Key, e.Source.Path} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(e.Source.Offset))
	dst = binary.AppendUvarint(dst, uint64(e.Source.End))
	if keepRaw {
		dst = binary.AppendUvarint(dst, uint64(len(e.Raw)))
		dst = append(dst, e.Raw...)
	}
	return dst
}

// recReader walks a record's fields.
type recReader struct {
	b   []byte
	err bool
}

func (r *recReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) bytes() []byte {
	n := r.uvarint()
	if r.err || n > uint64(len(r.b)) {
		r.err = true
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// StrCache turns repeated header values (category, input, path) into
// strings without allocating each time.
type StrCache map[string]string

func (c StrCache) get(b []byte) string {
	if c == nil {
		return string(b)
	}
	if s, ok := c[string(b)]; ok { // no allocation: the compiler's map lookup
		return s
	}
	if len(c) > 1024 {
		clear(c)
	}
	s := string(b)
	c[s] = s
	return s
}

// head is a record's header, as slices of it.
type head struct {
	flags                                    byte
	nanos                                    int64
	id, timeText, category, input, key, path []byte
	offset, end                              int64
	raw, envelope                            []byte
	captureTag                               uint64
	captured                                 []byte
}

// parseHead splits a record without copying.
func parseHead(data []byte) (head, error) {
	version := byte(0)
	if len(data) >= 2 {
		version = data[0]
	}
	if version != recVersion && version != recVersionCapture && version != recVersionCaptureV2 {
		return head{}, ErrBad
	}
	h := head{flags: data[1]}
	var n int
	if h.nanos, n = binary.Varint(data[2:]); n <= 0 {
		return head{}, ErrBad
	}
	r := recReader{b: data[2+n:]}
	h.id, h.timeText, h.category = r.bytes(), r.bytes(), r.bytes()
	h.input, h.key, h.path = r.bytes(), r.bytes(), r.bytes()
	h.offset, h.end = int64(r.uvarint()), int64(r.uvarint())
	if h.flags&flagRaw != 0 {
		h.raw = r.bytes()
	}
	if version == recVersionCaptureV2 {
		h.captureTag = r.uvarint()
		h.captured = r.bytes()
	}
	if r.err {
		return head{}, ErrBad
	}
	h.envelope = r.b
	if version == recVersionCapture {
		rest := r.b
		if len(rest) < trailerSize {
			return head{}, ErrBad
		}
		end := len(rest) - trailerSize
		posStart := end - int(rest[end])*event.PositionSize
		if posStart < 0 {
			return head{}, ErrBad
		}
		h.captureTag = binary.LittleEndian.Uint64(rest[end+1:])
		h.envelope, h.captured = rest[:posStart:posStart], rest[posStart:end:end]
	}
	if len(h.envelope) == 0 {
		return head{}, ErrBad
	}
	return h, nil
}

func (h head) header() Header {
	return Header{ID: h.id, Input: h.input, Key: h.key, Offset: h.offset, End: h.end,
		CaptureTag: h.captureTag, Captured: h.captured}
}

// Decode fills e from a record (e.Envelope and e.Raw alias data);
// category, input, key and path come from cache when it is set.
func Decode(seq uint64, data []byte, e *event.Event, cache StrCache) error {
	h, err := parseHead(data)
	if err != nil {
		return err
	}
	*e = event.Event{Seq: seq, Time: time.Unix(0, h.nanos).UTC(), Fields: e.Fields[:0], Raw: h.raw, Envelope: h.envelope}
	e.ID, e.TimeText, e.Category = string(h.id), string(h.timeText), cache.get(h.category)
	e.Source.Input, e.Source.Key, e.Source.Path = cache.get(h.input), cache.get(h.key), cache.get(h.path)
	e.Source.Offset, e.Source.End = h.offset, h.end
	return nil
}

// DecodeLean fills only what a sender that does not look into events
// needs: sequence, time, envelope and raw record, and hd (when not nil)
// with the header fields the chain needs. No allocation.
func DecodeLean(seq uint64, data []byte, e *event.Event, hd *Header) error {
	h, err := parseHead(data)
	if err != nil {
		return err
	}
	if hd != nil {
		*hd = h.header()
	}
	*e = event.Event{Seq: seq, Time: time.Unix(0, h.nanos).UTC(), Fields: e.Fields[:0], Raw: h.raw, Envelope: h.envelope}
	return nil
}

// Drop accounts for events that will never reach any output: dropped
// by a processor or by `drop_newest`. Senders and the chain read it so that
// dropped is never confused with lost.
type Drop struct {
	Reason string        `json:"reason"` // "processor NAME" or "buffer full"
	Count  int           `json:"count"`
	Ranges []SourceRange `json:"ranges"`
}

// SourceRange is the byte range of one source that the dropped events span.
type SourceRange struct {
	Input string `json:"input"`
	Key   string `json:"key,omitempty"`
	Path  string `json:"path"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
}

func NewDrop(reason string, evs []*event.Event) []byte {
	d := Drop{Reason: reason, Count: len(evs)}
	idx := map[string]int{}
	for _, e := range evs {
		k := e.Source.Input + "\x00" + e.Source.Key + "\x00" + e.Source.Path
		i, ok := idx[k]
		if !ok {
			i = len(d.Ranges)
			idx[k] = i
			d.Ranges = append(d.Ranges, SourceRange{Input: e.Source.Input, Key: e.Source.Key,
				Path: e.Source.Path, From: e.Source.Offset, To: e.Source.End})
		}
		r := &d.Ranges[i]
		r.From, r.To = min(r.From, e.Source.Offset), max(r.To, e.Source.End)
	}
	b, _ := json.Marshal(d)
	return b
}

// Header is what the chain needs of an event record, as slices of it: no
// allocation.
type Header struct {
	ID, Input, Key []byte
	Offset, End    int64
	// Where the envelope's index field values lie (event.EachCaptured),
	// and the tag of the capture that noted them; 0 and nil when the
	// record has none.
	CaptureTag uint64
	Captured   []byte
}

// PeekHeader reads a record's header fields without decoding the rest.
func PeekHeader(data []byte) (Header, error) {
	h, err := parseHead(data)
	return h.header(), err
}
