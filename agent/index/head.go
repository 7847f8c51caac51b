package index

import (
	"bytes"
	"slices"
)

// The start of an envelope as the agent renders it (SPEC §4), up to and
// with its _source object: no source key is in it.
var (
	headID     = []byte(`{"_id":"`)
	headSeq    = []byte(`,"_seq":`)
	headTime   = []byte(`,"_time":"`)
	headCat    = []byte(`,"category":"`)
	headSource = []byte(`,"_source":{"input":"`)
	headPath   = []byte(`,"path":"`)
	headOffset = []byte(`,"offset":`)
)

// envelopeKeys are the top-level keys the head holds.
var envelopeKeys = []string{"_id", "_seq", "_time", "category", "_source"}

// IsEnvelopeKey reports whether name is one of the keys of the head.
func IsEnvelopeKey(name string) bool { return slices.Contains(envelopeKeys, name) }

// headEnd returns where the source's own keys start in an envelope line:
// past the agent's head, which the index builder need not scan for fields
// that are not envelope keys; 0 when the line does not start as an
// envelope does.
func headEnd(b []byte) int {
	i, ok := str(b, 0, headID)
	if i, ok = num(b, i, headSeq, ok); !ok {
		return 0
	}
	if i, ok = str(b, i, headTime); !ok {
		return 0
	}
	if bytes.HasPrefix(b[i:], headCat) {
		i, ok = str(b, i, headCat)
	}
	i, ok = strOK(b, i, headSource, ok)
	i, ok = strOK(b, i, headPath, ok)
	if i, ok = num(b, i, headOffset, ok); !ok || i >= len(b) || b[i] != '}' {
		return 0
	}
	return i + 1
}

// str expects prefix (ending in a string's opening quote) at i and
// returns the end of that string.
func str(b []byte, i int, prefix []byte) (int, bool) {
	if i < 0 || !bytes.HasPrefix(b[i:], prefix) {
		return -1, false
	}
	e := stringEnd(b, i+len(prefix))
	return e + 1, e >= 0
}

func strOK(b []byte, i int, prefix []byte, ok bool) (int, bool) {
	if !ok {
		return -1, false
	}
	return str(b, i, prefix)
}

// num expects prefix and an integer at i and returns the integer's end.
func num(b []byte, i int, prefix []byte, ok bool) (int, bool) {
	if !ok || i < 0 || !bytes.HasPrefix(b[i:], prefix) {
		return -1, false
	}
	i += len(prefix)
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i, i > start
}
