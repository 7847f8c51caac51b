package chain

import (
	"bytes"
	"encoding/json"
)

var (
	idPrefix  = []byte(`{"_id":"`)
	seqPrefix = []byte(`,"_seq":`)
)

// envelopeHead reads _id and _seq from the start of a stored envelope
// line, where SPEC §4 puts them, without parsing the rest. The _id is a
// slice of line unless it holds escapes (rare: id_fields joined with
// \x1f). ok is false when the line does not start as an envelope does.
func envelopeHead(line []byte) (id []byte, seq uint64, ok bool) {
	if !bytes.HasPrefix(line, idPrefix) {
		return nil, 0, false
	}
	rest := line[len(idPrefix):]
	end, escaped := stringEnd(rest)
	if end < 0 {
		return nil, 0, false
	}
	id = rest[:end]
	if escaped {
		var s string
		if json.Unmarshal(line[len(idPrefix)-1:len(idPrefix)+end+1], &s) != nil {
			return nil, 0, false
		}
		id = []byte(s)
	}
	rest = rest[end+1:]
	if !bytes.HasPrefix(rest, seqPrefix) {
		return nil, 0, false
	}
	if seq, ok = leadingUint(rest[len(seqPrefix):]); !ok {
		return nil, 0, false
	}
	return id, seq, true
}

// stringEnd finds the quote that ends a JSON string's body.
func stringEnd(b []byte) (end int, escaped bool) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i, escaped
		case '\\':
			escaped = true
			i++
		}
	}
	return -1, escaped
}

// leadingUint parses the decimal digits at the start of b, which must be
// followed by a JSON delimiter.
func leadingUint(b []byte) (uint64, bool) {
	var n uint64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i == 19 { // more than any _seq: no overflow to check
			return 0, false
		}
		n = n*10 + uint64(b[i]-'0')
	}
	if i == 0 || i < len(b) && b[i] != ',' && b[i] != '}' {
		return 0, false
	}
	return n, true
}
