package event

import "bytes"

// StringIn reports whether the value at path is a string equal to one of
// want: what comparing Get(path) with string constants tests, without
// building the string when the source holds it unescaped. Expressions
// compare fields with constants on every event.
func (e *Event) StringIn(path string, want ...string) bool {
	switch path { // the envelope's strings, without boxing them
	case "category":
		return oneOf(e.Category, want)
	case "_id":
		return oneOf(e.ID, want)
	case "_time":
		return oneOf(e.TimeText, want)
	}
	v, ok := e.lookup(path)
	switch {
	case !ok:
		return false
	case v.special != nil:
		s, isStr := v.special.(string)
		return isStr && oneOf(s, want)
	case v.f.Kind == KindString:
		return oneOf(string(v.f.Value), want)
	case v.f.Kind == KindNumber:
		n, _ := parseNumber(v.f.Value)
		s, isStr := n.(string)
		return isStr && oneOf(s, want)
	}
	return jsonStringIn(v.f.Value, want)
}

// jsonStringIn compares a raw JSON value as decodeJSON would decode it: a
// string whose escapes do not decode counts as "".
func jsonStringIn(raw []byte, want []string) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		for _, w := range want {
			if string(inner) == w {
				return true
			}
		}
		return false
	}
	s, _ := unquoteJSON(inner)
	return oneOf(s, want)
}

func oneOf(s string, want []string) bool {
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}
