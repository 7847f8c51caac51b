package mysql

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// row is one event of a batch bound for a table.
type row struct {
	line            int // 0-based line in the batch body
	table           int // index into Output.tables
	start, mid, end int // the row's VALUES tuple in parsed.sql, before and after entry
	entry           []byte
}

// parsed is a batch body split into rows and the lines no table takes.
type parsed struct {
	lines    int
	rows     []row
	sql      []byte // every row's values but its entry, escaped, one after another
	tsv      bool   // rendered as LOAD DATA text, not as INSERT tuples
	rejected []int
	reason   string // why the first rejected line was

	rest   []byte // the lines not parsed yet (more)
	stream string
	tables []*table
	e      *event.Event
}

// appendTuple appends r's values: an INSERT's tuple "(value, ...)", or a
// line of LOAD DATA text "value\t...\n". The entry, the largest value, is
// escaped here, from the body: p.sql holds the rest.
func (p *parsed) appendTuple(buf []byte, r *row) []byte {
	buf = appendText(append(buf, p.sql[r.start:r.mid]...), r.entry, p.tsv)
	return append(buf, p.sql[r.mid:r.end]...)
}

// tupleMax is the most bytes r's values can take rendered: its entry
// could double when escaped.
func (p *parsed) tupleMax(r *row) int { return r.end - r.start + 2*len(r.entry) + 2 }

// parseBody scans each envelope line once, routes it and extracts its
// column values, rendered for LOAD DATA when tsv is set, else for INSERT.
// sc, when not nil, lends its buffers.
func parseBody(body []byte, stream string, tables []*table, tsv bool, sc *scratch) *parsed {
	p := newParsed(body, stream, tables, tsv, sc)
	p.all()
	return p
}

// newParsed is parseBody with no line parsed yet: more parses them one by
// one, so that a load parses the batch while the server takes what it
// sent (a batch of 10,000 rows takes about 50 ms to parse).
func newParsed(body []byte, stream string, tables []*table, tsv bool, sc *scratch) *parsed {
	if sc == nil {
		sc = &scratch{}
	}
	sql, rows := sc.sql[:0], sc.rows[:0]
	if n := len(body)/2 + 4096; cap(sql) < n {
		sql = make([]byte, 0, n)
	}
	if n := bytes.Count(body, []byte{'\n'}) + 1; cap(rows) < n {
		rows = make([]row, 0, n)
	}
	return &parsed{sql: sql, rows: rows, tsv: tsv, rest: body, stream: stream, tables: tables, e: &event.Event{}}
}

// scratch is what a Write allocates by its batch's size (the body read
// from the spool, the rendered values, the rows), kept for the next
// Write: a mysql batch is megabytes, and replay keeps its heap small.
type scratch struct {
	body, sql []byte
	rows      []row
}

// keep takes p's buffers back into sc.
func (sc *scratch) keep(p *parsed) {
	if cap(p.sql) > cap(sc.sql) {
		sc.sql = p.sql[:0]
	}
	if cap(p.rows) > cap(sc.rows) {
		sc.rows = p.rows[:0]
	}
}

// more parses the next line (a row, or a line rejected); false when every
// line is parsed.
func (p *parsed) more() bool {
	if len(p.rest) == 0 {
		return false
	}
	line := p.rest
	if i := bytes.IndexByte(p.rest, '\n'); i >= 0 {
		line, p.rest = p.rest[:i], p.rest[i+1:]
	} else {
		p.rest = nil
	}
	p.add(p.e, line, p.stream, p.tables)
	p.lines++
	return true
}

// all parses the lines left.
func (p *parsed) all() {
	for p.more() {
	}
}

func (p *parsed) add(e *event.Event, line []byte, stream string, tables []*table) {
	if !entry.ScanStoredLine(e, line) {
		p.reject(p.lines, "line is not a JSON object")
		return
	}
	if e.ID == "" {
		p.reject(p.lines, "the event has no _id")
		return
	}
	t := route(tables, e)
	if t < 0 {
		p.reject(p.lines, "the event matches no table's when")
		return
	}
	r := row{line: p.lines, table: t, start: len(p.sql), entry: line}
	p.sql = appendHead(p.sql, e, stream, p.tsv)
	r.mid = len(p.sql)
	p.sql = appendTail(p.sql, e, tables[t], p.tsv)
	r.end = len(p.sql)
	p.rows = append(p.rows, r)
}

func (p *parsed) reject(line int, why string) {
	if len(p.rejected) == 0 {
		p.reason = "line " + strconv.Itoa(line) + ": " + why
	}
	p.rejected = append(p.rejected, line)
}

// The punctuation of the two syntaxes a row is rendered in.
const (
	sqlSep, tsvSep   = ", ", "\t"
	sqlNull, tsvNull = "NULL", `\N`
)

func sep(tsv bool) string {
	if tsv {
		return tsvSep
	}
	return sqlSep
}

func null(tsv bool) string {
	if tsv {
		return tsvNull
	}
	return sqlNull
}

// appendHead appends the start of e's values, up to its entry: the fixed
// columns from the envelope.
func appendHead(buf []byte, e *event.Event, stream string, tsv bool) []byte {
	if !tsv {
		buf = append(buf, '(')
	}
	buf = appendText(buf, e.ID, tsv)
	buf = strconv.AppendUint(append(buf, sep(tsv)...), e.Seq, 10)
	buf = appendText(append(buf, sep(tsv)...), stream, tsv)
	buf = appendTime(append(buf, sep(tsv)...), e.TimeText, tsv)
	return append(buf, sep(tsv)...)
}

// appendTail appends the rest of e's values in table t after its entry:
// the columns from their field path (NULL when the field is missing or
// null).
func appendTail(buf []byte, e *event.Event, t *table, tsv bool) []byte {
	for i := len(fixedColumns); i < len(t.columns); i++ {
		buf = appendField(append(buf, sep(tsv)...), e, t.columns[i].path, tsv)
	}
	if tsv {
		return append(buf, '\n')
	}
	return append(buf, ')')
}

// appendField appends the value at path as e.Text reads it, quoted; NULL
// when the field is missing or null. Top-level strings without escapes
// and the envelope's strings go without a string of their own.
func appendField(buf []byte, e *event.Event, path string, tsv bool) []byte {
	switch path {
	case "category":
		return appendText(buf, e.Category, tsv)
	case "_id":
		return appendText(buf, e.ID, tsv)
	case "_time":
		return appendText(buf, e.TimeText, tsv)
	}
	if raw, ok := plainString(e, path); ok {
		return appendText(buf, raw, tsv)
	}
	if s, ok := fieldValue(e, path); ok {
		return appendText(buf, s, tsv)
	}
	return append(buf, null(tsv)...)
}

// plainString is the text of the top-level field path (the last of
// duplicates) when it is a JSON string without escapes: its raw bytes
// between the quotes. False for anything else, which e.Text reads.
func plainString(e *event.Event, path string) ([]byte, bool) {
	if len(e.Added) > 0 || strings.IndexByte(path, '.') >= 0 {
		return nil, false
	}
	for i := len(e.Fields) - 1; i >= 0; i-- {
		f := e.Fields[i]
		if string(f.Key) != path {
			continue
		}
		v := f.Value
		if f.Kind != event.KindJSON || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' ||
			bytes.IndexByte(v, '\\') >= 0 {
			return nil, false
		}
		return v[1 : len(v)-1], true
	}
	return nil, false
}

// fieldValue is the text at path; false when the field is missing or
// null.
func fieldValue(e *event.Event, path string) (string, bool) {
	s, ok := e.Text(path)
	if !ok {
		return "", false
	}
	if s == "null" {
		if v, _ := e.Get(path); v == nil {
			return "", false
		}
	}
	return s, true
}

// appendTime appends _time as a DATETIME(6) value in UTC (fraction
// truncated to microseconds), quoted for INSERT; NULL when it does not
// parse.
func appendTime(buf []byte, text string, tsv bool) []byte {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return append(buf, null(tsv)...)
	}
	if tsv {
		return t.UTC().AppendFormat(buf, "2006-01-02 15:04:05.000000")
	}
	buf = t.UTC().AppendFormat(append(buf, '\''), "2006-01-02 15:04:05.000000")
	return append(buf, '\'')
}
