package entry

import "github.com/auditship/auditship/internal/event"

// maxDepth bounds nesting, as Jackson does by default.
const maxDepth = 1000

// ScanObject appends the top-level members of the JSON object in b to
// fields, keys and values aliasing b (Kind JSON); at is the offset of the
// first error, or -1. The scan validates strictly enough that the raw values
// spliced together are always valid JSON, and it does not allocate beyond
// fields' growth.
func ScanObject(b []byte, fields []event.Field) (_ []event.Field, at int) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fields, i
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return fields, trailing(b, i+1)
	}
	for {
		f, end := scanMember(b, i)
		if end < 0 {
			return fields, -end - 1
		}
		fields = append(fields, f)
		i = skipWS(b, end)
		if i < len(b) && b[i] == '}' {
			return fields, trailing(b, i+1)
		}
		if i >= len(b) || b[i] != ',' {
			return fields, i
		}
		i = skipWS(b, i+1)
	}
}

// trailing returns -1 when only whitespace follows i, else its offset.
func trailing(b []byte, i int) int {
	if i = skipWS(b, i); i < len(b) {
		return i
	}
	return -1
}

// scanMember scans `"key":value` at i; end < 0 encodes the error offset
// as -offset-1.
func scanMember(b []byte, i int) (event.Field, int) {
	ke := scanString(b, i)
	if ke < 0 {
		return event.Field{}, ke
	}
	j := skipWS(b, ke)
	if j >= len(b) || b[j] != ':' {
		return event.Field{}, -j - 1
	}
	vs := skipWS(b, j+1)
	ve := scanValue(b, vs, 0)
	if ve < 0 {
		return event.Field{}, ve
	}
	return event.Field{Key: b[i+1 : ke-1], Value: b[vs:ve], Kind: event.KindJSON}, ve
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanValue returns the end of the value at i, or -offset-1 of an error.
func scanValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -i - 1
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return -i - 1
		}
		return scanNested(b, i, depth+1)
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return -i - 1
}

func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -i - 1
}

// scanNested scans an object or array at b[i].
func scanNested(b []byte, i, depth int) int {
	closer, isObj := byte(']'), b[i] == '{'
	if isObj {
		closer = '}'
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1
	}
	for {
		end := scanElement(b, i, depth, isObj)
		if end < 0 {
			return end
		}
		i = skipWS(b, end)
		if i < len(b) && b[i] == closer {
			return i + 1
		}
		if i >= len(b) || b[i] != ',' {
			return -i - 1
		}
		i = skipWS(b, i+1)
	}
}

func scanElement(b []byte, i, depth int, isObj bool) int {
	if isObj {
		ke := scanString(b, i)
		if ke < 0 {
			return ke
		}
		j := skipWS(b, ke)
		if j >= len(b) || b[j] != ':' {
			return -j - 1
		}
		i = skipWS(b, j+1)
	}
	return scanValue(b, i, depth)
}

func scanEscape(b []byte, i int) int {
	if i+1 >= len(b) {
		return -i - 1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if i+6 > len(b) {
			return -i - 1
		}
		for _, h := range b[i+2 : i+6] {
			if !isHex(h) {
				return -i - 1
			}
		}
		return i + 6
	}
	return -i - 1
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanNumber follows the JSON grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func scanNumber(b []byte, i int) int {
	start := i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return -start - 1
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			return -i - 1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -i - 1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
