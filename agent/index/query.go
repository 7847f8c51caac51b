package index

import (
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
	}
	return q, nil
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

// EventOf turns a stored envelope line into an event whose fields
// expressions and templates can read.
func EventOf(line []byte) (*event.Event, error) {
	e := &event.Event{Envelope: line}
	if !entry.ScanEnvelope(e) {
		return nil, errNotEnvelope
	}
	fillEnvelope(e)
	return e, nil
}
