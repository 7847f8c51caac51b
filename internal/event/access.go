package event

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Get returns the value at path for expressions. Top-level names resolve
// in this order: category, _id, _seq (int64), _time (the rendered string),
// then Added keys, then source Fields (the last duplicate wins), then Meta.
// A dotted path descends into JSON objects (and arrays by index: "tags.0").
//
// Types: JSON strings are string, JSON numbers float64 (as encoding/json),
// booleans bool, null nil (found), objects map[string]any, arrays []any;
// KindString values are string (plain input: nested values are strings);
// KindNumber values int64 when integral, else float64.
func (e *Event) Get(path string) (any, bool) {
	v, ok := e.lookup(path)
	if !ok {
		return nil, false
	}
	if v.special != nil {
		return v.special, true
	}
	switch v.f.Kind {
	case KindString:
		return string(v.f.Value), true
	case KindNumber:
		return parseNumber(v.f.Value)
	}
	return decodeJSON(v.f.Value)
}

// Text returns the value at path as text for templates: strings unquoted,
// numbers as written, true/false/null as such, objects and arrays as
// compact JSON.
func (e *Event) Text(path string) (string, bool) {
	v, ok := e.lookup(path)
	if !ok {
		return "", false
	}
	if v.special != nil {
		switch s := v.special.(type) {
		case string:
			return s, true
		case int64:
			return strconv.FormatInt(s, 10), true
		}
	}
	if v.f.Kind != KindJSON {
		return string(v.f.Value), true
	}
	return jsonText(v.f.Value)
}

// found is a lookup result: an envelope value or a field's value.
type found struct {
	special any
	f       Field
}

func (e *Event) lookup(path string) (found, bool) {
	name, rest, nested := strings.Cut(path, ".")
	if s, ok := e.envelope(name); ok {
		return found{special: s}, !nested
	}
	f, ok := e.field(name)
	if !ok {
		return found{}, false
	}
	if !nested {
		return found{f: f}, true
	}
	if f.Kind != KindJSON {
		return found{}, false
	}
	v, ok := walkJSON(f.Value, rest)
	return found{f: Field{Value: v, Kind: KindJSON}}, ok
}

func (e *Event) envelope(name string) (any, bool) {
	switch name {
	case "category":
		return e.Category, true
	case "_id":
		return e.ID, true
	case "_seq":
		return int64(e.Seq), true
	case "_time":
		return e.TimeText, true
	}
	return nil, false
}

// field finds a top-level key: Added first, then the last source duplicate,
// then Meta.
func (e *Event) field(name string) (Field, bool) {
	for i := len(e.Added) - 1; i >= 0; i-- {
		if string(e.Added[i].Key) == name {
			return e.Added[i], true
		}
	}
	for i := len(e.Fields) - 1; i >= 0; i-- {
		if string(e.Fields[i].Key) == name {
			return e.Fields[i], true
		}
	}
	for _, f := range e.Meta {
		if string(f.Key) == name {
			return f, true
		}
	}
	return Field{}, false
}

func parseNumber(b []byte) (any, bool) {
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return string(b), true
	}
	return f, true
}

// decodeJSON converts a raw JSON value; scalars without encoding/json.
func decodeJSON(raw []byte) (any, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		return unquoteJSON(raw[1 : len(raw)-1])
	case 't':
		return true, true
	case 'f':
		return false, true
	case 'n':
		return nil, true
	case '{', '[':
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, false
		}
		return v, true
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

func jsonText(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		return unquoteJSON(raw[1 : len(raw)-1])
	case '{', '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", false
		}
		return buf.String(), true
	}
	return string(raw), true
}

// unquoteJSON decodes the contents of a JSON string (without its quotes).
func unquoteJSON(inner []byte) (string, bool) {
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	q := make([]byte, 0, len(inner)+2)
	q = append(append(append(q, '"'), inner...), '"')
	if err := json.Unmarshal(q, &s); err != nil {
		return "", false
	}
	return s, true
}

// walkJSON follows a dotted path through a raw JSON value (validated by
// the decoder) without decoding what it does not need.
func walkJSON(raw []byte, path string) ([]byte, bool) {
	for path != "" {
		var seg string
		seg, path, _ = strings.Cut(path, ".")
		var ok bool
		if raw, ok = child(bytes.TrimSpace(raw), seg); !ok {
			return nil, false
		}
	}
	return raw, true
}

// child returns the member seg of an object, or element seg of an array.
func child(b []byte, seg string) ([]byte, bool) {
	if len(b) < 2 || (b[0] != '{' && b[0] != '[') {
		return nil, false
	}
	idx := -1
	if b[0] == '[' {
		n, err := strconv.Atoi(seg)
		if err != nil || n < 0 {
			return nil, false
		}
		idx = n
	}
	i := skipWS(b, 1)
	for n := 0; i < len(b) && b[i] != '}' && b[i] != ']'; n++ {
		match := idx == n
		if idx < 0 {
			ke := skipValue(b, i)
			if ke < 0 || b[i] != '"' {
				return nil, false
			}
			match = keyMatches(b[i+1:ke-1], seg)
			if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
				return nil, false
			}
			i = skipWS(b, i+1)
		}
		ve := skipValue(b, i)
		if ve < 0 {
			return nil, false
		}
		if match {
			return b[i:ve], true
		}
		if i = skipWS(b, ve); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return nil, false
}

func keyMatches(key []byte, seg string) bool {
	if string(key) == seg {
		return true
	}
	if bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	s, ok := unquoteJSON(key)
	return ok && s == seg
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	depth := 0
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			if i = stringEnd(b, i); i < 0 {
				return -1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return i
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
		if depth == 0 && (b[i] == '"' || b[i] == '}' || b[i] == ']') {
			return i + 1
		}
	}
	if depth != 0 {
		return -1
	}
	return i
}

// stringEnd returns the index of the closing quote of the string at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
