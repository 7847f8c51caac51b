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
//	offset end (uvarint) [raw (uvarint length + bytes) if flagRaw] envelope (the rest)
const (
	recVersion = 1
	flagRaw    = 1 // the record as read is kept (stdout plain needs it)
)

var ErrBad = errors.New("malformed event record")

// AppendEvent encodes e; the envelope is rendered into the record.
func AppendEvent(dst []byte, e *event.Event, keepRaw bool) []byte {
	flags := byte(0)
	if keepRaw {
		flags |= flagRaw
	}
	dst = append(dst, recVersion, flags)
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
	return e.AppendJSON(dst)
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

// Decode fills e from a record (e.Envelope and e.Raw alias data);
// category, input, key and path come from cache when it is set.
func Decode(seq uint64, data []byte, e *event.Event, cache StrCache) error {
	if len(data) < 2 || data[0] != recVersion {
		return ErrBad
	}
	flags := data[1]
	t, n := binary.Varint(data[2:])
	if n <= 0 {
		return ErrBad
	}
	r := recReader{b: data[2+n:]}
	*e = event.Event{Seq: seq, Time: time.Unix(0, t).UTC(), Fields: e.Fields[:0]}
	e.ID, e.TimeText, e.Category = string(r.bytes()), string(r.bytes()), cache.get(r.bytes())
	e.Source.Input, e.Source.Key, e.Source.Path = cache.get(r.bytes()), cache.get(r.bytes()), cache.get(r.bytes())
	e.Source.Offset, e.Source.End = int64(r.uvarint()), int64(r.uvarint())
	if flags&flagRaw != 0 {
		e.Raw = r.bytes()
	}
	if r.err || len(r.b) == 0 {
		return ErrBad
	}
	e.Envelope = r.b
	return nil
}

// DecodeLean fills only what a sender that does not look into events
// needs: sequence, time, envelope and raw record, and h (when not nil)
// with the header fields the chain needs. No allocation.
func DecodeLean(seq uint64, data []byte, e *event.Event, h *Header) error {
	if len(data) < 2 || data[0] != recVersion {
		return ErrBad
	}
	flags := data[1]
	t, n := binary.Varint(data[2:])
	if n <= 0 {
		return ErrBad
	}
	r := recReader{b: data[2+n:]}
	var hd Header
	hd.ID = r.bytes()
	r.bytes() // _time
	r.bytes() // category
	hd.Input, hd.Key = r.bytes(), r.bytes()
	r.bytes() // path
	hd.Offset, hd.End = int64(r.uvarint()), int64(r.uvarint())
	if h != nil {
		*h = hd
	}
	raw := []byte(nil)
	if flags&flagRaw != 0 {
		raw = r.bytes()
	}
	if r.err || len(r.b) == 0 {
		return ErrBad
	}
	fields := e.Fields[:0]
	*e = event.Event{Seq: seq, Time: time.Unix(0, t).UTC(), Fields: fields, Raw: raw, Envelope: r.b}
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
}

// PeekHeader reads a record's header fields without decoding the rest.
func PeekHeader(data []byte) (Header, error) {
	if len(data) < 2 || data[0] != recVersion {
		return Header{}, ErrBad
	}
	_, n := binary.Varint(data[2:])
	if n <= 0 {
		return Header{}, ErrBad
	}
	r := recReader{b: data[2+n:]}
	var h Header
	h.ID = r.bytes()
	r.bytes() // _time
	r.bytes() // category
	h.Input, h.Key = r.bytes(), r.bytes()
	r.bytes() // path
	h.Offset, h.End = int64(r.uvarint()), int64(r.uvarint())
	if r.err {
		return Header{}, ErrBad
	}
	return h, nil
}
