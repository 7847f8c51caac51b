package entry

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	"github.com/auditship/auditship/internal/swar"
)

// scanString checks a string at b[i]: escapes, no control characters,
// valid UTF-8. It returns the offset after the closing quote.
func scanString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -i - 1
	}
	for i++; ; {
		if i = skipPlain(b, i); i >= len(b) {
			return -i - 1
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i = scanEscape(b, i); i < 0 {
				return i
			}
		case c < 0x20:
			return -i - 1
		default: // non-ASCII
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return -i - 1
			}
			i += n
		}
	}
}

// skipPlain returns the offset of the first byte at or after i that a
// string scan must look at: '"', '\\', a control character or non-ASCII.
// Strings are most of a record, so it tests eight bytes per step.
func skipPlain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := swar.Stop(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && b[i] >= 0x20 && b[i] < utf8.RuneSelf && b[i] != '"' && b[i] != '\\' {
		i++
	}
	return i
}
