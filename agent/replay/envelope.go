package replay

import (
	"bytes"
	"strconv"
)

var (
	idPrefix  = []byte(`{"_id":"`)
	seqPrefix = []byte(`,"_seq":`)
)

// renumber appends line to dst with its _seq replaced by seq: a replayed
// event keeps its envelope byte for byte (its _id above all) but takes
// the replay stream's sequence number, since verify checks each stored
// line's _seq against its batch's manifest. ok is false when the line
// does not start as an envelope does (SPEC §4: _id, then _seq).
func renumber(dst, line []byte, seq uint64) ([]byte, bool) {
	from, to, ok := seqDigits(line)
	if !ok {
		return dst, false
	}
	dst = append(dst, line[:from]...)
	dst = strconv.AppendUint(dst, seq, 10)
	return append(dst, line[to:]...), true
}

// seqDigits finds the digits of _seq at the start of an envelope line.
func seqDigits(line []byte) (from, to int, ok bool) {
	if !bytes.HasPrefix(line, idPrefix) {
		return 0, 0, false
	}
	i := len(idPrefix)
	for ; i < len(line) && line[i] != '"'; i++ {
		if line[i] == '\\' {
			i++
		}
	}
	if i >= len(line) || !bytes.HasPrefix(line[i+1:], seqPrefix) {
		return 0, 0, false
	}
	from = i + 1 + len(seqPrefix)
	to = from
	for to < len(line) && line[to] >= '0' && line[to] <= '9' {
		to++
	}
	return from, to, to > from && to < len(line)
}
