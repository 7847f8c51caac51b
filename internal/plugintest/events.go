package plugintest

import (
	"fmt"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// Event builds a workflow event numbered seq, with JSON fields given as
// key, raw-value pairs; its _id, time and source follow from seq.
func Event(seq int, pairs ...string) *event.Event {
	raw := []byte("{}")
	e := &event.Event{Raw: raw, Body: raw, Format: event.FormatJSON, Category: "workflow"}
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Fields = append(e.Fields, event.Field{Key: []byte(pairs[i]), Value: []byte(pairs[i+1]), Kind: event.KindJSON})
	}
	t := time.Date(2024, 5, 13, 8, 0, seq%60, 0, time.UTC)
	e.ID, e.Seq, e.Time, e.TimeText = fmt.Sprintf("%032x", seq), uint64(seq), t, t.Format(time.RFC3339)
	e.Source = event.Source{Input: "in", Path: "-", Offset: int64(seq) * 100}
	return e
}

// Events builds n events numbered from first, all of flow (their
// workflowDefinitionId), each with its index as field "n".
func Events(first, n int, flow string) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = Event(first+i, "workflowDefinitionId", fmt.Sprintf("%q", flow), "n", fmt.Sprint(i))
	}
	return evs
}
