package index

import (
	"errors"
	"time"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/expr"
)

// Query is what replay and export select: events matching Where whose
// event time is in [Since, Until) (a zero bound is open).
type Query struct {
	Where        *expr.Program // nil: every event
	Since, Until time.Time
	terms        []term // what index records can rule a batch out on
}

// NewQuery compiles where ("" matches every event).
func NewQuery(where string, since, until time.Time) (*Query, error) {
	q := &Query{Since: since, Until: until}
	if where != "" {
		p, err := expr.Compile(where)
		if err != nil {
			return nil, err
		}
		q.Where = p
		q.terms = plan(where)
	}
	return q, nil
}

// Indexed lists the fields whose values q constrains in a way index
// records answer (for a progress line: what the plan skips on).
func (q *Query) Indexed() []string {
	var out []string
	for _, t := range q.terms {
		out = append(out, t.field)
	}
	return out
}

// Match reports whether a stored envelope line matches q. A line that is
// not an envelope, or an expression that fails on it, is an error.
func (q *Query) Match(line []byte) (bool, error) {
	e, err := EventOf(line)
	if err != nil {
		return false, err
	}
	if !q.Since.IsZero() && e.Time.Before(q.Since) {
		return false, nil
	}
	if !q.Until.IsZero() && !e.Time.Before(q.Until) {
		return false, nil
	}
	if q.Where == nil {
		return true, nil
	}
	return q.Where.Match(e)
}

var errNotEnvelope = errors.New("not an envelope line (a JSON object)")

// EventOf turns a stored envelope line into an event whose fields
// expressions and templates can read, with its event time. The event
// aliases line.
func EventOf(line []byte) (*event.Event, error) {
	e := &event.Event{}
	if err := ScanEvent(e, line); err != nil {
		return nil, err
	}
	return e, nil
}

// ScanEvent is EventOf into e, which is reset first but keeps the
// memory of its fields: a reader of many lines scans them all into one.
func ScanEvent(e *event.Event, line []byte) error {
	*e = event.Event{Fields: e.Fields[:0]}
	if !entry.ScanStoredLine(e, line) {
		return errNotEnvelope
	}
	e.Time, _ = time.Parse(time.RFC3339Nano, e.TimeText)
	return nil
}
