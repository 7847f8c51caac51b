package index

import (
	"errors"
	"strconv"
	"time"

	"github.com/auditship/auditship/internal/event"
)

var errNotEnvelope = errors.New("not an envelope line (a JSON object)")

// fillEnvelope sets the envelope values that event.Get answers from the
// event itself (_id, _seq, _time, category) from the scanned fields.
func fillEnvelope(e *event.Event) {
	for _, f := range e.Fields {
		switch string(f.Key) {
		case "_id":
			e.ID = unquote(f.Value)
		case "_seq":
			e.Seq, _ = strconv.ParseUint(string(f.Value), 10, 64)
		case "_time":
			e.TimeText = unquote(f.Value)
			e.Time, _ = time.Parse(time.RFC3339Nano, e.TimeText)
		case "category":
			e.Category = unquote(f.Value)
		}
	}
}

// unquote returns a JSON string value's text; envelope values carry no
// escapes, so a plain trim suffices (anything else is returned as is).
func unquote(v []byte) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		if s, err := strconv.Unquote(string(v)); err == nil {
			return s
		}
		return string(v[1 : len(v)-1])
	}
	return string(v)
}
