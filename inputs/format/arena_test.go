package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

// TestArenaIsolation decodes fresh events that share the decoder's chunks
// and checks that no event's Fields, _id or _time changes afterwards, even
// when a processor appends to an earlier event's Fields.
func TestArenaIsolation(t *testing.T) {
	records := lines(readFile(t, "json.log"))
	d := NewDecoder(Options{Format: "json"})
	evs := make([]event.Event, 3*len(records))
	want := make([]string, len(evs))
	for i := range evs {
		d.Decode(&evs[i], records[i%len(records)], event.Source{Offset: int64(i)}, []byte("s"), Flags{}, ingest)
		want[i] = snapshot(&evs[i])
		if i > 0 {
			prev := &evs[i-1]
			prev.Fields = append(prev.Fields, event.Field{Key: []byte("added"), Value: []byte("1")})
		}
	}
	for i := range evs {
		if i < len(evs)-1 {
			evs[i].Fields = evs[i].Fields[:len(evs[i].Fields)-1]
		}
		if diff := cmp.Diff(want[i], snapshot(&evs[i])); diff != "" {
			t.Fatalf("event %d changed (-at decode +now):\n%s", i, diff)
		}
	}
}

func snapshot(e *event.Event) string {
	var b strings.Builder
	b.WriteString(e.ID + " " + e.TimeText)
	for _, f := range e.Fields {
		b.WriteString(" " + string(f.Key) + "=" + string(f.Value))
	}
	return b.String()
}

func TestDecodeBatchAllocs(t *testing.T) {
	records := lines(readFile(t, "json.log"))
	d := NewDecoder(Options{Format: "json"})
	evs := make([]event.Event, len(records))
	sid := []byte("s")
	n := testing.AllocsPerRun(20, func() {
		clear(evs)
		for i, r := range records {
			d.Decode(&evs[i], r, event.Source{}, sid, Flags{}, ingest)
		}
	})
	if perEvent := n / float64(len(records)); perEvent > 0.1 {
		t.Errorf("%.2f allocations per fresh event, want at most 0.1", perEvent)
	}
}
