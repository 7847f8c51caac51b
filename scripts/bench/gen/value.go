package main

import "strconv"

// value is an audit item value that renders the way the engine writes it:
// Jackson for JSON, Java's toString for plain.
type value interface {
	appendJSON(b []byte) []byte
	appendPlain(b []byte) []byte
}

// kv is one item of an ordered map.
type kv struct {
	k string
	v value
}

type (
	str     string
	num     string // kept as written: "0.0" and "52000" differ
	boolean bool
	date    [3]int // a java.time.LocalDate
	list    []value
	// obj is a Java object: a Map when class is empty, else a bean whose
	// toString is `Class [k=v, ...]`.
	obj struct {
		class  string
		fields []kv
	}
)

func (s str) appendJSON(b []byte) []byte  { return appendJSONString(b, string(s)) }
func (s str) appendPlain(b []byte) []byte { return append(b, s...) }
func (n num) appendJSON(b []byte) []byte  { return append(b, n...) }
func (n num) appendPlain(b []byte) []byte { return append(b, n...) }

func (v boolean) appendJSON(b []byte) []byte  { return strconv.AppendBool(b, bool(v)) }
func (v boolean) appendPlain(b []byte) []byte { return strconv.AppendBool(b, bool(v)) }

func (d date) appendJSON(b []byte) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(d[0]), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(d[1]), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(d[2]), 10)
	return append(b, ']')
}

func (d date) appendPlain(b []byte) []byte {
	b = strconv.AppendInt(b, int64(d[0]), 10)
	b = append(b, '-')
	b = appendPad2(b, d[1])
	b = append(b, '-')
	return appendPad2(b, d[2])
}

func (l list) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.appendJSON(b)
	}
	return append(b, ']')
}

func (l list) appendPlain(b []byte) []byte {
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = v.appendPlain(b)
	}
	return append(b, ']')
}

func (o obj) appendJSON(b []byte) []byte { return appendJSONObject(b, o.fields) }

func (o obj) appendPlain(b []byte) []byte {
	if o.class == "" {
		return appendPlainMap(b, o.fields)
	}
	b = append(b, o.class...)
	b = append(b, " ["...)
	b = appendPlainItems(b, o.fields)
	return append(b, ']')
}

// appendJSONObject writes compact Jackson output: no spaces, keys in order.
func appendJSONObject(b []byte, fields []kv) []byte {
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.k)
		b = append(b, ':')
		b = f.v.appendJSON(b)
	}
	return append(b, '}')
}

// appendPlainMap writes java.util.Map.toString: no escaping at all.
func appendPlainMap(b []byte, fields []kv) []byte {
	b = append(b, '{')
	b = appendPlainItems(b, fields)
	return append(b, '}')
}

func appendPlainItems(b []byte, fields []kv) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, f.k...)
		b = append(b, '=')
		b = f.v.appendPlain(b)
	}
	return b
}

// appendJSONString escapes like Jackson: short escapes for the usual
// control characters, \u00XX for the rest, non-ASCII kept as raw UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigit(c>>4), hexDigit(c&0xf))
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func hexDigit(c byte) byte { return "0123456789abcdef"[c] }

func appendPad2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
