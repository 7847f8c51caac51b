package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func generate(t *testing.T, n int, format string, seed uint64) ([]byte, stats) {
	t.Helper()
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	g := newGen(w, seed, n, format == "plain")
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), g.stats
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, 5000, "json", 1)
	b, _ := generate(t, 5000, "json", 1)
	c, _ := generate(t, 5000, "json", 2)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different output")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same output")
	}
}

// TestJSON checks every line is one compact object with timestamp first,
// timestamps never go back, and the size and mix stay realistic.
func TestJSON(t *testing.T) {
	const n = 20000
	out, st := generate(t, n, "json", 1)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != n || st.Entries != n || st.Bytes != int64(len(out)) {
		t.Fatalf("lines %d, stats %d entries %d bytes, want %d entries of %d bytes", len(lines), st.Entries, st.Bytes, n, len(out))
	}
	var last string
	for i, l := range lines {
		ts := checkJSONLine(t, l)
		if ts < last {
			t.Fatalf("line %d: timestamp %s before %s", i+1, ts, last)
		}
		last = ts
	}
	if avg := st.Bytes / n; avg < 450 || avg > 700 {
		t.Errorf("average entry %d bytes, want 450..700", avg)
	}
	checkMix(t, st)
}

func checkJSONLine(t *testing.T, l string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(l), &m); err != nil {
		t.Fatalf("%v: %s", err, l)
	}
	if !strings.HasPrefix(l, `{"timestamp":"`) || strings.Contains(l, ": ") {
		t.Fatalf("not compact Jackson output with timestamp first: %s", l)
	}
	ts := m["timestamp"].(string)
	if _, err := time.Parse("2006-01-02T15:04:05.999999", ts); err != nil || strings.HasSuffix(ts, "0") && strings.Contains(ts, ".") {
		t.Fatalf("timestamp %q: want a local time, trailing zeros trimmed (%v)", ts, err)
	}
	return ts
}

func checkMix(t *testing.T, st stats) {
	t.Helper()
	want := map[string][2]float64{ // share of entries, min..max
		"workflow": {0.05, 0.2}, "workflow_node": {0.3, 0.5}, "workflow_variable": {0.1, 0.25},
		"workflow_persistence_read": {0.04, 0.12}, "workflow_persistence_write": {0.08, 0.2},
		"timer": {0.03, 0.12}, "messaging": {0.01, 0.05},
	}
	for cat, r := range want {
		if share := float64(st.Categories[cat]) / float64(st.Entries); share < r[0] || share > r[1] {
			t.Errorf("%s: %.3f of entries, want %.2f..%.2f", cat, share, r[0], r[1])
		}
	}
	if len(st.Categories) != len(want) {
		t.Errorf("categories %v, want exactly %d", st.Categories, len(want))
	}
	if share := float64(st.Passed) / float64(st.Entries); share < 0.4 || share > 0.6 {
		t.Errorf("bench filter passes %.3f, want about half", share)
	}
}

// TestPlain checks the plain rendering has the same entries, each starting
// with {timestamp= and some spanning several lines.
func TestPlain(t *testing.T) {
	const n = 20000
	out, st := generate(t, n, "plain", 1)
	_, js := generate(t, n, "json", 1)
	if diff := cmp.Diff(js.Categories, st.Categories); diff != "" {
		t.Errorf("plain and json mix differ (-json +plain):\n%s", diff)
	}
	starts := bytes.Count(out, []byte("\n{timestamp=")) + 1
	if !bytes.HasPrefix(out, []byte("{timestamp=")) || starts != n {
		t.Errorf("%d records start with {timestamp=, want %d", starts, n)
	}
	if st.Lines <= n || st.Lines != bytes.Count(out, []byte{'\n'}) {
		t.Errorf("stats lines %d, want > %d (multi-line values) and equal to the newlines", st.Lines, n)
	}
	if !bytes.HasSuffix(out, []byte("}\n")) || bytes.Contains(out, []byte(`\n`)) {
		t.Error("plain must end each record with } and never escape")
	}
}

func TestRendering(t *testing.T) {
	v := obj{fields: []kv{
		{"order", obj{class: "Order", fields: []kv{{"total", javaDouble(13348)}, {"shipped", boolean(false)}}}},
		{"day", date{2024, 7, 5}}, {"items", list{str(`Laptop 14"`), str("a\tb\x01")}}, {"zero", javaDouble(500)},
	}}
	tests := []struct{ name, got, want string }{
		{"json", string(v.appendJSON(nil)), `{"order":{"total":133.48,"shipped":false},"day":[2024,7,5],"items":["Laptop 14\"","a\tb\u0001"],"zero":5.0}`},
		{"plain", string(v.appendPlain(nil)), "{order=Order [total=133.48, shipped=false], day=2024-07-05, items=[Laptop 14\", a\tb\x01], zero=5.0}"},
		{"whole second", string(appendLocalTime(nil, base.Add(time.Second))), "2024-05-13T08:00:01"},
		{"fraction", string(appendLocalTime(nil, base.Add(450900*time.Microsecond))), "2024-05-13T08:00:00.4509"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}
