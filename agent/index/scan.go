package index

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// members walks the top-level members of the JSON object in b (a stored
// envelope, which the agent rendered: valid JSON): next returns each key
// (raw, without quotes) and value (raw). It is the index builder's hot
// path: nested values are skipped token by token, strings by IndexByte,
// and nothing is allocated. A malformed object ends the walk early.
type members struct {
	b []byte
	i int // where the next member starts; -1: done
}

func newMembers(b []byte) members {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return members{i: -1}
	}
	return members{b: b, i: i + 1}
}

func (m *members) next() (key, val []byte, ok bool) {
	b, i := m.b, m.i
	if i < 0 {
		return nil, nil, false
	}
	m.i = -1
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '"' {
		return nil, nil, false
	}
	ke := stringEnd(b, i+1)
	if ke < 0 {
		return nil, nil, false
	}
	j := skipWS(b, ke+1)
	if j >= len(b) || b[j] != ':' {
		return nil, nil, false
	}
	vs := skipWS(b, j+1)
	ve := valueEnd(b, vs)
	if ve < 0 {
		return nil, nil, false
	}
	if n := skipWS(b, ve); n < len(b) && b[n] == ',' {
		m.i = n + 1
	}
	return b[i+1 : ke], b[vs:ve], true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// Eight bytes at a time (SWAR): the strings and nested values of an
// envelope are mostly short, where IndexByte's setup costs more than it
// saves. zeroBytes flags the zero bytes of x; its lowest flag is exact
// (borrows may flag bytes above it), which is all the scans use.
const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

func zeroBytes(x uint64) uint64 { return (x - lo8) &^ x & hi8 }

// stringEnd returns the index of the quote that ends the string whose
// body starts at i, or -1.
func stringEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		m := zeroBytes(w^(lo8*'"')) | zeroBytes(w^(lo8*'\\'))
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if b[i] == '"' {
			return i
		}
		i += 2 // a backslash and the byte it escapes
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i
		case '\\':
			i++
		}
	}
	return -1
}

// valueEnd returns the end of the JSON value at i, or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		if e := stringEnd(b, i+1); e >= 0 {
			return e + 1
		}
		return -1
	case '{', '[':
		return compositeEnd(b, i)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	return i
}

// compositeEnd returns the end of the object or array at i, or -1.
func compositeEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		if i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			f := w | lo8*0x20 // [ ] become { }
			m := zeroBytes(w^(lo8*'"')) | zeroBytes(f^(lo8*'{')) | zeroBytes(f^(lo8*'}'))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		switch b[i] {
		case '"':
			e := stringEnd(b, i+1)
			if e < 0 {
				return -1
			}
			i = e
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return -1
}

// canonical is the text a raw JSON value is indexed under, so that
// `field == 'x'` and `field == 5` find it: a string's text, a number in
// its shortest integer form when it is an integer, any other value as
// written; ok is false for objects and arrays (never equal to a literal).
// It aliases raw unless the value needs decoding (escapes, exponents).
func canonical(raw []byte) (text []byte, ok bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch c := raw[0]; {
	case c == '"':
		body := raw[1 : len(raw)-1]
		if bytes.IndexByte(body, '\\') < 0 {
			return body, true
		}
		s, err := strconv.Unquote(string(raw))
		if err != nil {
			return []byte{}, true // as event.Get: escapes that do not decode count as ""
		}
		return []byte(s), true
	case c == '{' || c == '[':
		return nil, false
	case c == '-' || c >= '0' && c <= '9':
		return canonicalNumber(raw), true
	}
	return raw, true
}

// canonicalNumber keeps an integer written plainly; 5.0 and 5e0 become 5,
// -0 becomes 0; other numbers stay as written.
func canonicalNumber(raw []byte) []byte {
	plain := true
	for i, c := range raw {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			plain = false
			break
		}
	}
	if plain && string(raw) != "-0" {
		return raw
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
		return raw
	}
	return strconv.AppendInt(nil, int64(f), 10)
}
