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
		parseBody(body, "s1", tables, false, nil)
	}
}

// BenchmarkStatements renders the rows of a parsed 1000-event batch into
// INSERT statements as Write sends them, without sending them.
func BenchmarkStatements(b *testing.B) {
	var lines []string
	for i := range 1000 {
		lines = append(lines, envelope(uint64(i+1), "workflow_node", wfItems))
	}
	body := []byte(strings.Join(lines, "\n") + "\n")
	p := parseBody(body, "s1", defaultTables(), false, nil)
	buf := getStmtBuf()
	defer putStmtBuf(buf)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		*buf = (*buf)[:0]
		for i := range p.rows {
			if len(*buf) > splitSize {
				*buf = (*buf)[:0]
			}
			*buf = p.appendTuple(append(*buf, ", "...), &p.rows[i])
		}
	}
}
