package entry

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unsafe"

	"github.com/auditship/auditship/internal/event"
)

// ScanStoredLine makes e the event of an envelope line read back from a
// store: its fields, and the envelope values expressions read (category,
// _id, _seq, _time as text). It reports whether the line is a JSON
// object. e's strings alias line: e lives no longer than line's bytes.
func ScanStoredLine(e *event.Event, line []byte) bool {
	e.Envelope = line
	if !ScanEnvelope(e) {
		return false
	}
	e.ID, e.Seq, e.TimeText, e.Category = "", 0, "", ""
	for _, f := range e.Fields {
		switch string(f.Key) {
		case "_id":
			e.ID = unquote(f.Value)
		case "_seq":
			e.Seq, _ = strconv.ParseUint(string(f.Value), 10, 64)
		case "_time":
			e.TimeText = unquote(f.Value)
		case "category":
			e.Category = unquote(f.Value)
		}
	}
	return true
}

// unquote is a JSON string's text, aliasing raw when it holds no escape;
// "" for anything but a string.
func unquote(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		if len(raw) == 2 {
			return ""
		}
		return unsafe.String(&raw[1], len(raw)-2)
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}
