package mysql

// appendQuoted appends s as a MySQL string literal for the sessions the
// output opens (utf8mb4, sql_mode without NO_BACKSLASH_ESCAPES): quoted
// with ', and \0 \n \r \x1a ' " \ backslash-escaped as the driver's
// escapeBytesBackslash does. Every other byte goes as it is: no UTF-8
// sequence holds an ASCII byte.
func appendQuoted[T ~string | ~[]byte](buf []byte, s T) []byte {
	buf = append(buf, '\'')
	start := 0
	for i := 0; i < len(s); i++ {
		esc := escapeOf(s[i])
		if esc == 0 {
			continue
		}
		buf = append(buf, s[start:i]...)
		buf = append(buf, '\\', esc)
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '\'')
}

// escapeOf is the letter that follows the backslash for c; 0 when c goes
// as it is.
func escapeOf(c byte) byte { return escapes[c] }

var escapes = [256]byte{0: '0', '\n': 'n', '\r': 'r', '\x1a': 'Z', '\'': '\'', '"': '"', '\\': '\\'}

// appendTSV appends s as one field of LOAD DATA's text format (FIELDS
// TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'): \0 \t \n
// \r and \ backslash-escaped, every other byte as it is.
func appendTSV[T ~string | ~[]byte](buf []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		esc := tsvEscapes[s[i]]
		if esc == 0 {
			continue
		}
		buf = append(buf, s[start:i]...)
		buf = append(buf, '\\', esc)
		start = i + 1
	}
	return append(buf, s[start:]...)
}

var tsvEscapes = [256]byte{0: '0', '\t': 't', '\n': 'n', '\r': 'r', '\\': '\\'}

// appendText appends s as a value of the syntax a batch is rendered in:
// a string literal of an INSERT, or a field of LOAD DATA's text.
func appendText[T ~string | ~[]byte](buf []byte, s T, tsv bool) []byte {
	if tsv {
		return appendTSV(buf, s)
	}
	return appendQuoted(buf, s)
}
