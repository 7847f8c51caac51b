// Package template renders key, file and container names such as
// "{{ pipeline }}/{{ date }}/{{ workflowDefinitionId }}_{{ batch_id }}".
package template

import (
	"time"

	"github.com/auditship/auditship/internal/event"
)

// Template is parsed once; safe for concurrent use.
type Template struct{}

// Parse parses s. Unknown specials and unbalanced braces are errors.
func Parse(s string) (*Template, error) { panic("TODO") }

// HasBatchID reports whether the template contains {{ batch_id }}.
func (t *Template) HasBatchID() bool { panic("TODO") }

// Partition renders the event-dependent part: fields (dotted paths, missing
// renders "none"), pipeline and output. Equal partitions batch together.
func (t *Template) Partition(e *event.Event, pipeline, output string, sanitize func(string) string) string {
	panic("TODO")
}

// BatchVars are the batch-level specials, rendered when the batch closes.
type BatchVars struct {
	BatchID  string
	FirstSeq uint64
	Time     time.Time // first event's time
}

// Render renders the final name from a partition produced by Partition.
func (t *Template) Render(partition string, v BatchVars) string { panic("TODO") }
