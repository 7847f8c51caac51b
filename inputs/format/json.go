package format

import (
	"strconv"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// parseJSON records each top-level member of a JSON object as a field whose
// key and value alias the body.
func (d *Decoder) parseJSON(e *event.Event) {
	fields, at := entry.ScanObject(e.Body, d.fields.take(e.Fields))
	if at >= 0 {
		e.Fields = d.fields.keep(fields[:0])
		unparsed(e, "invalid JSON at byte "+strconv.Itoa(at))
		return
	}
	e.Fields = d.fields.keep(fields)
	e.Format = event.FormatJSON
}
