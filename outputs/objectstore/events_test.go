package objectstore

import (
	"fmt"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// jsonEvent builds an event as the json format would: Raw is one JSON
// object and the fields alias it.
func jsonEvent(seq int, pairs ...string) *event.Event {
	raw := []byte{'{'}
	type span struct{ k0, k1, v0, v1 int }
	var spans []span
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			raw = append(raw, ',')
		}
		var s span
		s.k0 = len(raw) + 1
		raw = fmt.Appendf(raw, "%q", pairs[i])
		s.k1 = len(raw) - 1
		raw = append(raw, ':')
		s.v0 = len(raw)
		raw = append(raw, pairs[i+1]...)
		s.v1 = len(raw)
		spans = append(spans, s)
	}
	raw = append(raw, '}')
	e := &event.Event{Raw: raw, Body: raw, Format: event.FormatJSON, Category: "workflow"}
	for _, s := range spans {
		e.Fields = append(e.Fields, event.Field{Key: raw[s.k0:s.k1], Value: raw[s.v0:s.v1], Kind: event.KindJSON})
	}
	t := time.Date(2024, 5, 13, 8, 0, seq%60, 0, time.UTC)
	e.ID, e.Seq, e.Time, e.TimeText = fmt.Sprintf("%032x", seq), uint64(seq), t, t.Format(time.RFC3339)
	e.Source = event.Source{Input: "in", Path: "/var/log/audit.log", Offset: int64(seq) * 200}
	return e
}

// sampleEvents returns n events of about 230 bytes rendered.
func sampleEvents(n int) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = jsonEvent(i+1,
			"timestamp", fmt.Sprintf(`"2024-05-13T08:00:%02d"`, (i+1)%60),
			"workflowDefinitionId", `"orders"`,
			"workflowInstanceState", "1",
			"message", fmt.Sprintf(`"Workflow instance %d \"created\" in the store"`, i),
			"variables", `{"amount":1000,"tags":["a","b"]}`)
	}
	return evs
}
