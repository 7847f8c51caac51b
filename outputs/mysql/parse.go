package mysql

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// row is one event of a batch bound for a table.
type row struct {
	line  int   // 0-based line in the batch body
	table int   // index into Output.tables
	vals  []any // one per column of the table
	entry []byte
}

// parsed is a batch body split into rows and the lines no table takes.
type parsed struct {
	lines    int
	rows     []row
	rejected []int
	reason   string // why the first rejected line was
}

// parseBody scans each envelope line once, routes it and extracts its
// column values.
func parseBody(body []byte, stream string, tables []*table) *parsed {
	p := &parsed{}
	e := &event.Event{}
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		p.add(e, line, stream, tables)
		p.lines++
	}
	return p
}

func (p *parsed) add(e *event.Event, line []byte, stream string, tables []*table) {
	if !scanLine(e, line) {
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
	p.rows = append(p.rows, row{line: p.lines, table: t, vals: values(e, tables[t], stream, line), entry: line})
}

func (p *parsed) reject(line int, why string) {
	if len(p.rejected) == 0 {
		p.reason = "line " + strconv.Itoa(line) + ": " + why
	}
	p.rejected = append(p.rejected, line)
}

// scanLine makes e the event of an envelope line: its fields, and the
// envelope values expressions read (category, _id, _seq, _time).
func scanLine(e *event.Event, line []byte) bool {
	e.Envelope = line
	if !entry.ScanEnvelope(e) {
		return false
	}
	e.ID, e.Seq, e.TimeText, e.Category = "", 0, "", ""
	for _, f := range e.Fields {
		switch string(f.Key) {
		case "_id":
			e.ID = unquote(f.Value)
		case "_seq":
			e.Seq, _ = strconv.ParseUint(string(f.Value), 10, 64)
		case "_time":
			e.TimeText = unquote(f.Value)
		case "category":
			e.Category = unquote(f.Value)
		}
	}
	return true
}

// unquote returns a raw JSON string's text; "" for anything else.
func unquote(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// values are the column values of e in table t: fixed columns from the
// envelope, the others from their field path (nil, stored as NULL, when
// the field is missing or null).
func values(e *event.Event, t *table, stream string, line []byte) []any {
	vals := make([]any, len(t.columns))
	vals[0], vals[1], vals[2], vals[3], vals[4] = e.ID, e.Seq, stream, sqlTime(e.TimeText), string(line)
	for i := len(fixedColumns); i < len(t.columns); i++ {
		vals[i] = fieldValue(e, t.columns[i].path)
	}
	return vals
}

func fieldValue(e *event.Event, path string) any {
	s, ok := e.Text(path)
	if !ok {
		return nil
	}
	if s == "null" {
		if v, _ := e.Get(path); v == nil {
			return nil
		}
	}
	return s
}

// sqlTime is _time as a DATETIME(6) literal in UTC (fraction truncated to
// microseconds); nil when it does not parse.
func sqlTime(text string) any {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return nil
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}
