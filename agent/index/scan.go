package index

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"

	"github.com/auditship/auditship/internal/swar"
)

// keys finds, in one pass over an envelope line, the members whose key is
// one of a few names, at any depth: a match of `"name":` in valid JSON
// is a key (inside a string the quote before the colon would be escaped,
// and no name ends in a backslash). Nested members of the same name add
// values: more than the event's own, which an index may hold (false
// positives only). It is the index builder's hot path: eight bytes at a
// time for the colons, then per colon an 8-byte suffix compared with the
// names'; nothing is allocated.
type keys struct {
	names []keyName
	short bool   // some name is shorter than 8 bytes
	sigs  uint64 // bit sigBit(sig) set for each name's sig: most keys are ruled out by one test
}

type keyName struct {
	name string
	sig  uint64 // its last 8 bytes, little-endian (names of 8 bytes or more)
}

func newKeys(names []string) keys {
	k := keys{}
	for _, n := range names {
		kn := keyName{name: n}
		if len(n) >= 8 {
			kn.sig = binary.LittleEndian.Uint64([]byte(n[len(n)-8:]))
			k.sigs |= 1 << sigBit(kn.sig)
		} else {
			k.short = true
		}
		k.names = append(k.names, kn)
	}
	return k
}

func sigBit(sig uint64) uint64 { return sig * 0x9E3779B97F4A7C15 >> 58 }

// colons returns the exact mask (0x80 per byte) of the colons in w.
func colons(w uint64) uint64 {
	const lo7 = 0x7F7F7F7F7F7F7F7F
	t := w ^ (lo8 * ':')
	return ^((t&lo7 + lo7) | t | lo7)
}

// each calls fn with the index of each name found as a key in b and the
// raw value that follows it.
func (k *keys) each(b []byte, fn func(i int, val []byte)) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		m := colons(binary.LittleEndian.Uint64(b[i:]))
		for m != 0 {
			c := i + bits.TrailingZeros64(m)/8
			m &= m - 1
			if c == 0 || b[c-1] != '"' && b[c-1] > ' ' {
				continue // not after a key
			}
			var sig uint64
			if c >= 9 {
				sig = binary.LittleEndian.Uint64(b[c-9:])
				if !k.short && b[c-1] == '"' && k.sigs&(1<<sigBit(sig)) == 0 {
					continue
				}
			}
			k.at(b, c, fn)
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ':' {
			k.at(b, i, fn)
		}
	}
}

// at looks at the colon at c: after one of the names' key, fn gets the
// value.
func (k *keys) at(b []byte, c int, fn func(i int, val []byte)) {
	e := c - 1 // the key's closing quote
	for e >= 0 && (b[e] == ' ' || b[e] == '\n' || b[e] == '\t' || b[e] == '\r') {
		e--
	}
	if e < 1 || b[e] != '"' {
		return
	}
	var sig uint64
	if e >= 8 {
		sig = binary.LittleEndian.Uint64(b[e-8:])
	}
	for i := range k.names {
		n := k.names[i].name
		if len(n) >= 8 && k.names[i].sig != sig {
			continue
		}
		s := e - len(n)
		if s < 1 || b[s-1] != '"' || string(b[s:e]) != n {
			continue
		}
		vs := skipWS(b, c+1)
		if ve := valueEnd(b, vs); ve > vs {
			fn(i, b[vs:ve])
		}
	}
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
	lo8 = swar.Lo
	hi8 = swar.Hi
)

func zeroBytes(x uint64) uint64 { return swar.Zero(x) }

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
