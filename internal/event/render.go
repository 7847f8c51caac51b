package event

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/auditship/auditship/internal/swar"
)

// AppendJSON appends the SPEC §4 envelope of e to dst: _id, _seq, _time,
// category (unless the source has its own), _source, then Meta, the source
// keys and the Added keys. An event read back from the buffer writes its
// stored Envelope.
//
// Keys of a FormatJSON event's Fields are the raw (still escaped) bytes
// between the key's quotes and are written as they are; every other key
// (plain fields, Meta, Added) is text and is escaped.
func (e *Event) AppendJSON(dst []byte) []byte { return e.AppendJSONCapture(dst, nil) }

// AppendJSONCapture is AppendJSON that also notes in c (when not nil)
// where the values of c's keys lie in the envelope rendered. An event
// whose stored Envelope is written again notes nothing.
func (e *Event) AppendJSONCapture(dst []byte, c *Capture) []byte {
	if c != nil {
		c.reset()
	}
	if e.Envelope != nil {
		return append(dst, e.Envelope...)
	}
	base := len(dst)
	dst = append(dst, `{"_id":`...)
	dst = appendQuoted(dst, e.ID)
	dst = append(dst, `,"_seq":`...)
	dst = strconv.AppendUint(dst, e.Seq, 10)
	dst = append(dst, `,"_time":`...)
	dst = appendTime(dst, e)
	if !e.OwnCategory {
		dst = append(dst, `,"category":`...)
		dst = appendQuoted(dst, e.Category)
	}
	dst = append(dst, `,"_source":{"input":`...)
	dst = appendQuoted(dst, e.Source.Input)
	dst = append(dst, `,"path":`...)
	dst = appendQuoted(dst, e.Source.Path)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, e.Source.Offset, 10)
	dst = append(dst, '}')
	for _, f := range e.Meta {
		dst = appendNoted(dst, f, c, base)
	}
	dst = e.appendSource(dst, c, base)
	for _, f := range e.Added {
		dst = appendNoted(dst, f, c, base)
	}
	return append(dst, '}')
}

func appendTime(dst []byte, e *Event) []byte {
	if e.TimeText != "" {
		return appendQuoted(dst, e.TimeText)
	}
	dst = append(dst, '"')
	dst = e.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendSource writes the source keys: the raw bytes spliced when nothing
// needs renaming or dropping, else field by field.
func (e *Event) appendSource(dst []byte, c *Capture, base int) []byte {
	if len(e.Fields) == 0 {
		return dst
	}
	if e.Format == FormatJSON && !e.needsRewrite() {
		if inner, ok := e.rawMembers(); ok {
			if c != nil { // keys without escapes, none renamed or dropped
				start := len(dst) + 1 - base
				for _, f := range e.Fields {
					if c.wants(f.Key) {
						off, _ := offsetIn(inner, f.Value)
						c.noteName(f.Key, start+off, len(f.Value))
					}
				}
			}
			return append(append(dst, ','), inner...)
		}
	}
	rawKeys := e.Format == FormatJSON
	if !rawKeys && !e.needsRewrite() { // no key renamed or dropped: no per-key checks
		for _, f := range e.Fields {
			dst = appendNoted(dst, f, c, base)
		}
		return dst
	}
	for i, f := range e.Fields {
		k := keyText(f.Key, rawKeys)
		if e.shadowed(i, k) {
			continue
		}
		var prefix []byte
		if e.collides(k) {
			prefix = origPrefix
		}
		var vs int
		dst, vs = appendField(dst, prefix, f, rawKeys)
		if prefix == nil { // not rendered under another key
			c.note(k, vs-base, len(dst)-vs)
		}
	}
	return dst
}

var origPrefix = []byte("_orig_")

// appendNoted writes a member whose key is text, noting its value in c.
func appendNoted(dst []byte, f Field, c *Capture, base int) []byte {
	dst, vs := appendField(dst, nil, f, false)
	c.note(f.Key, vs-base, len(dst)-vs)
	return dst
}

// appendField writes one member and returns where its value starts.
func appendField(dst, prefix []byte, f Field, rawKey bool) ([]byte, int) {
	dst = append(dst, ',', '"')
	dst = append(dst, prefix...)
	if rawKey {
		dst = append(dst, f.Key...)
	} else {
		dst = appendEscaped(dst, f.Key)
	}
	dst = append(dst, '"', ':')
	vs := len(dst)
	if f.Kind == KindString {
		return appendQuoted(dst, f.Value), vs
	}
	return append(dst, f.Value...), vs
}

// needsRewrite reports whether some source key must be renamed or dropped:
// a duplicate, an envelope or Meta key, or a key that Added replaces. Keys
// with escapes take the slow path. A 64-bit filter keeps the duplicate
// check linear in the common case.
func (e *Event) needsRewrite() bool {
	var seen uint64
	for i, f := range e.Fields {
		k := f.Key
		if bytes.IndexByte(k, '\\') >= 0 || e.collides(k) {
			return true
		}
		bit := uint64(1) << (keyHash(k) & 63)
		if seen&bit != 0 && e.seenBefore(i) {
			return true
		}
		seen |= bit
	}
	for _, a := range e.Added {
		for _, f := range e.Fields {
			if bytes.Equal(f.Key, a.Key) {
				return true
			}
		}
	}
	return false
}

func keyHash(k []byte) uint {
	if len(k) == 0 {
		return 0
	}
	return uint(len(k))*31 + uint(k[0])*7 + uint(k[len(k)-1])
}

// seenBefore reports whether field i's key occurs earlier.
func (e *Event) seenBefore(i int) bool {
	for _, f := range e.Fields[:i] {
		if bytes.Equal(f.Key, e.Fields[i].Key) {
			return true
		}
	}
	return false
}

// shadowed reports whether field i is replaced by a later duplicate or by
// an Added key of the same name.
func (e *Event) shadowed(i int, k []byte) bool {
	rawKeys := e.Format == FormatJSON
	for _, g := range e.Fields[i+1:] {
		if keyEqual(g.Key, k, rawKeys) {
			return true
		}
	}
	for _, g := range e.Added {
		if bytes.Equal(g.Key, k) {
			return true
		}
	}
	return false
}

// collides reports whether a source key would clash with the envelope.
func (e *Event) collides(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	if k[0] != '_' {
		return !e.OwnCategory && string(k) == "category"
	}
	switch string(k) {
	case "_id", "_seq", "_time", "_source":
		return true
	}
	for _, m := range e.Meta {
		if bytes.Equal(m.Key, k) {
			return true
		}
	}
	return false
}

// keyEqual compares a source key with the text k. An escaped raw key is
// longer than its text, so only those are decoded.
func keyEqual(key, k []byte, raw bool) bool {
	if len(key) == len(k) {
		return bytes.Equal(key, k)
	}
	if !raw || len(key) < len(k) || bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	return bytes.Equal(keyText(key, true), k)
}

// keyText returns the key's text: raw JSON keys with escapes are decoded
// (rare, allocates) so that "\u005fid" is recognised as "_id".
func keyText(k []byte, raw bool) []byte {
	if !raw || bytes.IndexByte(k, '\\') < 0 {
		return k
	}
	s, ok := unquoteJSON(k)
	if !ok {
		return k
	}
	return []byte(s)
}

// rawMembers returns Body between its outer braces when the Fields still
// cover it exactly, in order (a processor may have edited them).
func (e *Event) rawMembers() ([]byte, bool) {
	b := e.Body
	first, ok := offsetIn(b, e.Fields[0].Key)
	if !ok || first == 0 {
		return nil, false
	}
	pos := first - 1 // the key's opening quote
	if !onlyPunct(b[:pos], "{") {
		return nil, false
	}
	for i, f := range e.Fields {
		ks, ok1 := offsetIn(b, f.Key)
		vs, ok2 := offsetIn(b, f.Value)
		if !ok1 || !ok2 || ks < pos+1 || vs < ks+len(f.Key) {
			return nil, false
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		if !onlyPunct(b[pos:ks-1], sep) || !onlyPunct(b[ks+len(f.Key)+1:vs], ":") {
			return nil, false
		}
		pos = vs + len(f.Value)
	}
	if !onlyPunct(b[pos:], "}") {
		return nil, false
	}
	return b[first-1 : pos], true
}

// offsetIn returns where sub starts inside b when it aliases b's memory.
func offsetIn(b, sub []byte) (int, bool) {
	if len(sub) == 0 || len(b) == 0 {
		return 0, false
	}
	off := cap(b) - cap(sub)
	if off < 0 || off+len(sub) > len(b) || &b[off] != &sub[0] {
		return 0, false
	}
	return off, true
}

// onlyPunct reports whether s is JSON whitespace around exactly the
// punctuation p (which may be empty).
func onlyPunct(s []byte, p string) bool {
	seen := false
	for _, c := range s {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case !seen && len(p) == 1 && c == p[0]:
			seen = true
		default:
			return false
		}
	}
	return seen == (len(p) == 1)
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string. Invalid UTF-8 becomes U+FFFD so
// the output is always valid JSON.
func appendQuoted[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainASCII(load64(s, i)) {
			i += 8 // eight bytes that need no escape and are not UTF-8 sequences
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			if n := validRune(s, i); n > 0 {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// load64 reads the 8 bytes at s[i:] little-endian (one load: the
// compiler combines the byte loads).
func load64[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plainASCII reports whether the 8 bytes of w are ASCII from 0x20 on, none
// a quote or a backslash: written as they are (SWAR; exact: "some byte
// below n" and "some zero byte" are never missed, and a false alarm only
// sends the word through the byte-wise path).
func plainASCII(w uint64) bool { return swar.Stop(w) == 0 }

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if c >= utf8.RuneSelf {
		return append(dst, `\ufffd`...)
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// validRune returns the length of the valid UTF-8 sequence at s[i], or 0.
func validRune[T string | []byte](s T, i int) int {
	c := s[i]
	var n int
	var lo, hi byte = 0x80, 0xbf
	switch {
	case c >= 0xc2 && c <= 0xdf:
		n = 2
	case c == 0xe0:
		n, lo = 3, 0xa0
	case c == 0xed:
		n, hi = 3, 0x9f
	case c >= 0xe1 && c <= 0xef:
		n = 3
	case c == 0xf0:
		n, lo = 4, 0x90
	case c >= 0xf1 && c <= 0xf3:
		n = 4
	case c == 0xf4:
		n, hi = 4, 0x8f
	default:
		return 0
	}
	if i+n > len(s) || s[i+1] < lo || s[i+1] > hi {
		return 0
	}
	for j := i + 2; j < i+n; j++ {
		if s[j] < 0x80 || s[j] > 0xbf {
			return 0
		}
	}
	return n
}
