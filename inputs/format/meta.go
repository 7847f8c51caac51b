package format

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"unicode/utf8"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// Meta keys and values set by the decoder (SPEC §3, §4), held as
// package-level slices so that building a Meta entry does not allocate.
var (
	keyTimeSource     = []byte("_time_source")
	keyTimeAmbiguous  = []byte("_time_ambiguous")
	keyPartial        = []byte("_partial")
	keyTruncated      = []byte("_truncated")
	keyOriginalLength = []byte("_original_length")
	keyParseError     = []byte("_parse_error")
	keyRawB64         = []byte("_raw_b64")
	keyRaw            = []byte("_raw")

	valTrue   = []byte("true")
	valIngest = []byte("ingest")
)

func metaString(key, val []byte) event.Field {
	return event.Field{Key: key, Value: val, Kind: event.KindString}
}

func metaJSON(key, val []byte) event.Field {
	return event.Field{Key: key, Value: val, Kind: event.KindJSON}
}

func metaTrue(key []byte) event.Field { return metaJSON(key, valTrue) }

var messageKey = []byte("message")

// unparsed turns e into an "unparsed" event carrying the raw bytes.
func unparsed(e *event.Event, why string) {
	e.Format = event.FormatUnparsed
	e.Category = entry.CategoryUnparsed
	e.OwnCategory = false
	msg := e.Raw
	if !utf8.Valid(msg) {
		msg = bytes.ToValidUTF8(msg, []byte("\uFFFD"))
		e.Meta = append(e.Meta, metaString(keyRawB64, base64.StdEncoding.AppendEncode(nil, e.Raw)))
	}
	e.Fields = append(e.Fields[:0], event.Field{Key: messageKey, Value: msg, Kind: event.KindString})
	e.Meta = append(e.Meta, metaString(keyParseError, []byte(why)))
}

// truncated marks an over-long line; it is never parsed.
func truncated(e *event.Event, n int64) {
	e.Meta = append(e.Meta, metaTrue(keyTruncated),
		metaJSON(keyOriginalLength, strconv.AppendInt(nil, n, 10)))
	unparsed(e, "line longer than max_line_bytes")
}

// setID sets _id from IDFields when all of them are present, else from the
// SHA-256 layout of SPEC §4.
func (d *Decoder) setID(e *event.Event, sourceID []byte) {
	if len(d.opts.IDFields) > 0 && d.idFromFields(e) {
		return
	}
	h := d.hash
	h.Reset()
	binary.BigEndian.PutUint64(d.hdr[:], uint64(len(sourceID)))
	h.Write(d.hdr[:])
	h.Write(sourceID)
	binary.BigEndian.PutUint64(d.hdr[:], uint64(e.Source.Offset))
	h.Write(d.hdr[:])
	h.Write(e.Raw)
	sum := h.Sum(d.sum[:0])
	at := d.text.start()
	d.text.buf = hex.AppendEncode(d.text.buf, sum[:16])
	e.ID = d.text.since(at)
}

// idFromFields joins the id_fields' text values with \x1f; a missing field
// makes it fall back to the hash, so two entries never share an _id by
// lacking the same fields.
func (d *Decoder) idFromFields(e *event.Event) bool {
	d.buf = d.buf[:0]
	for i, name := range d.opts.IDFields {
		v, ok := e.Text(name)
		if !ok {
			return false
		}
		if i > 0 {
			d.buf = append(d.buf, 0x1f)
		}
		d.buf = append(d.buf, v...)
	}
	e.ID = string(d.buf)
	return true
}
