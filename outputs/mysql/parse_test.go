package mysql

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

func TestParseBodyRoutesAndExtracts(t *testing.T) {
	tables := defaultTables()
	body := envelope(1, "workflow", wfItems) + "\n" + envelope(2, "messaging", msgItems) + "\nnot json\n" +
		`{"_seq":4,"category":"workflow"}` + "\n" + envelope(5, "", `"category":"messaging","businessKey":null`) + "\n"
	p := parseBody([]byte(body), "s1", tables, false, nil)
	if p.lines != 5 || !cmp.Equal(p.rejected, []int{2, 3}) || p.reason != "line 2: line is not a JSON object" {
		t.Fatalf("lines %d, rejected %v (%s)", p.lines, p.rejected, p.reason)
	}
	var got []int
	for _, r := range p.rows {
		got = append(got, r.table)
	}
	if diff := cmp.Diff([]int{1, 0, 0}, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	r := p.rows[0]
	want := []any{"id-1", uint64(1), "s1", "2024-05-13 08:00:01.123456", envelope(1, "workflow", wfItems),
		"workflow", "hire", "wi-1", "root-1", nil, "emp-42", "alice", "Approve", nil, nil,
		"Workflow instance node Approve started", "tx-1", "/var/log/engine/audit.log", "100"}
	if diff := cmp.Diff(tupleOf(want), string(p.appendTuple(nil, &r))); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if v := string(p.appendTuple(nil, &p.rows[2])); !strings.Contains(v, "', 'messaging', ") || strings.Contains(v, "'null'") {
		t.Errorf("source-own category and a null businessKey: %s", v)
	}
}

// tupleOf renders values as the VALUES tuple parseBody makes.
func tupleOf(vals []any) string {
	b := []byte{'('}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ", "...)
		}
		switch v := v.(type) {
		case nil:
			b = append(b, "NULL"...)
		case uint64:
			b = strconv.AppendUint(b, v, 10)
		case string:
			b = appendQuoted(b, v)
		}
	}
	return string(append(b, ')'))
}

func TestSQLTime(t *testing.T) {
	for in, want := range map[string]string{
		"2024-05-13T08:00:01Z":           "'2024-05-13 08:00:01.000000'",
		"2024-05-13T08:00:01.123456789Z": "'2024-05-13 08:00:01.123456'",
		"2024-05-13T10:00:01.5+02:00":    "'2024-05-13 08:00:01.500000'",
		"2024-05-13 08:00:01":            "NULL",
		"":                               "NULL",
	} {
		if got := string(appendTime(nil, in, false)); got != want {
			t.Errorf("appendTime(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAppendQuoted(t *testing.T) {
	in := "a'b\"c\\d\x00e\nf\rg\x1ah😀中"
	want := `'a\'b\"c\\d\0e\nf\rg\Zh😀中'`
	if got := string(appendQuoted([]byte("x"), in)); got != "x"+want {
		t.Errorf("appendQuoted(%q) = %s, want %s", in, got, want)
	}
	if got := string(appendQuoted(nil, []byte(nil))); got != "''" {
		t.Errorf("appendQuoted(empty) = %s", got)
	}
}

func TestLines(t *testing.T) {
	lines, err := parseLines(formatLines([]int{1, 5, 12}).(string))
	if err != nil || !cmp.Equal(lines, []int{1, 5, 12}) {
		t.Errorf("round trip: %v, %v", lines, err)
	}
	if formatLines(nil) != nil {
		t.Error("no lines are not NULL")
	}
	if _, err := parseLines("1,x"); err == nil {
		t.Error("parseLines accepted 1,x")
	}
}

// TestRouteRunTimeErrorIsNoMatch: a when that fails on an event (nil >
// 1000) does not take it; the next table may.
func TestRouteRunTimeErrorIsNoMatch(t *testing.T) {
	c := newConfig()
	c.Database = "a"
	c.Tables = []Table{{Name: "big", When: "amount > 1000"}, {Name: "wf", When: "category == 'workflow'"}}
	s, err := c.parse()
	if err != nil {
		t.Fatal(err)
	}
	body := envelope(1, "workflow", `"amount":5000`) + "\n" + envelope(2, "workflow", "") + "\n" + envelope(3, "timer", "") + "\n"
	p := parseBody([]byte(body), "s1", s.tables, false, nil)
	if len(p.rows) != 2 || p.rows[0].table != 0 || p.rows[1].table != 1 || !cmp.Equal(p.rejected, []int{2}) {
		t.Errorf("rows %+v, rejected %v", p.rows, p.rejected)
	}
}

// TestScratchReusedByTheNextBatch: a Write's body, values and rows go
// into the buffers of the one before (a replay ships megabytes per
// batch), and a batch parsed there holds only its own lines.
func TestScratchReusedByTheNextBatch(t *testing.T) {
	tables := defaultTables()
	one := envelope(1, "workflow", wfItems) + "\n" + envelope(2, "workflow", wfItems) + "\n"
	two := envelope(3, "workflow", wfItems) + "\n"
	sc := &scratch{}
	body := func(s string) []byte {
		t.Helper()
		b, err := batchBody(&event.Batch{Body: strings.NewReader(s), Size: int64(len(s))}, sc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1 := body(one)
	p1 := parseBody(b1, "s1", tables, true, sc)
	sc.keep(p1)
	b2 := body(two)
	p2 := parseBody(b2, "s1", tables, true, sc)
	if &b1[0] != &b2[0] || &p1.rows[:1][0] != &p2.rows[:1][0] || &p1.sql[:1][0] != &p2.sql[:1][0] {
		t.Fatal("the second batch did not reuse the first one's buffers")
	}
	if string(b2) != two || len(p2.rows) != 1 || p2.lines != 1 || string(p2.rows[0].entry) != strings.TrimSuffix(two, "\n") {
		t.Fatalf("second batch: body %q, %d rows of %d lines", b2, len(p2.rows), p2.lines)
	}
	fresh := parseBody([]byte(two), "s1", tables, true, nil)
	if string(p2.appendTuple(nil, &p2.rows[0])) != string(fresh.appendTuple(nil, &fresh.rows[0])) {
		t.Fatal("a row parsed in reused buffers differs from one parsed afresh")
	}
}
