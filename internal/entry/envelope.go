package entry

import "github.com/auditship/auditship/internal/event"

// ScanEnvelope fills e.Fields from e.Envelope, the rendered envelope of an
// event read back from the buffer, so that expressions and templates can
// read its fields. It reports whether the envelope is a valid JSON object.
func ScanEnvelope(e *event.Event) bool {
	fields, at := ScanObject(e.Envelope, e.Fields[:0])
	e.Fields = fields
	e.Format = event.FormatJSON
	return at < 0
}
