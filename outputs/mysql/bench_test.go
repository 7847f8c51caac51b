package mysql

import (
	"strings"
	"testing"
)

// BenchmarkParseBody parses a 1000-event batch (the default max_events)
// into rows of the default tables.
func BenchmarkParseBody(b *testing.B) {
	var lines []string
	for i := range 1000 {
		cat, items := "workflow_node", wfItems
		if i%4 == 0 {
			cat, items = "messaging", msgItems
		}
		lines = append(lines, envelope(uint64(i+1), cat, items))
	}
	body := []byte(strings.Join(lines, "\n") + "\n")
	tables := defaultTables()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		parseBody(body, "s1", tables)
	}
}
