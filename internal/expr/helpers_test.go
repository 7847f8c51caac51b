package expr

import (
	"bufio"
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/internal/event"
)

// samples decodes testdata/sample.log (13 json entries, the same 13 in
// plain, one unparsed line) with the auto format.
func samples(t testing.TB) []*event.Event {
	t.Helper()
	b, err := os.ReadFile("testdata/sample.log")
	if err != nil {
		t.Fatal(err)
	}
	d := format.NewDecoder(format.Options{Format: "auto", Input: "in"})
	var out []*event.Event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		e := new(event.Event)
		line := append([]byte(nil), sc.Bytes()...)
		d.Decode(e, line, event.Source{Path: "-"}, make([]byte, 32), format.Flags{}, time.Unix(0, 0))
		out = append(out, e)
	}
	return out
}

// jsonEvent builds an event from raw JSON fields, in order: key, value, ...
func jsonEvent(category string, kv ...string) *event.Event {
	e := &event.Event{Category: category, Format: event.FormatJSON}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Fields = append(e.Fields, event.Field{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return e
}
