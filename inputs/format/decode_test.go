package format

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// metaMap renders Meta as key → JSON text for comparisons.
func metaMap(e *event.Event) map[string]string {
	m := map[string]string{}
	for _, f := range e.Meta {
		v := string(f.Value)
		if f.Kind == event.KindString {
			b, _ := json.Marshal(v)
			v = string(b)
		}
		m[string(f.Key)] = v
	}
	return m
}

func TestMalformed(t *testing.T) {
	ls := lines(readFile(t, "malformed.log"))
	records := [][]byte{ls[0], ls[1], ls[2], ls[4], bytes.Join(ls[5:7], []byte("\n"))}
	tests := []struct {
		why   string
		b64   bool
		rawOK bool
	}{
		{why: "invalid JSON at byte 123", rawOK: true},
		{why: "neither JSON nor an Automatiko plain entry", b64: true},
		{why: "invalid UTF-8", b64: true},
		{why: "invalid JSON at byte 67", rawOK: true},
		{why: "no closing brace", rawOK: true},
	}
	for i, tc := range tests {
		e := decode(t, Options{Format: "auto"}, records[i])
		m := metaMap(e)
		if e.Category != entry.CategoryUnparsed || e.Format != event.FormatUnparsed {
			t.Errorf("record %d: category %q", i, e.Category)
		}
		if want, _ := json.Marshal(tc.why); m["_parse_error"] != string(want) {
			t.Errorf("record %d: _parse_error %s, want %s", i, m["_parse_error"], want)
		}
		if _, ok := m["_raw_b64"]; ok != tc.b64 {
			t.Errorf("record %d: _raw_b64 present %v, want %v", i, ok, tc.b64)
		}
		msg := e.Fields[0].Value
		if tc.rawOK && !bytes.Equal(msg, records[i]) || !tc.rawOK && !strings.Contains(string(msg), "\uFFFD") {
			t.Errorf("record %d: message %q", i, msg)
		}
		if !json.Valid(e.AppendJSON(nil)) {
			t.Errorf("record %d: invalid JSON output", i)
		}
	}
}

const plainNode = "{timestamp=2024-05-13T08:00:57.447401, identity=john, workflowDefinitionId=orders, " +
	"workflowInstanceId=339d, workflowDefinitionName=Orders, workflowInstanceState=1, businessKey=BK, " +
	"description=DESC, variables=VARS, tags=[vip], transactionId=8d11, nodeInstanceId=n1, " +
	"nodeName=Ship, nodeInstanceState=1, nodeType=HumanTask, message=Workflow instance node entered}"

// TestPlainUserText puts text that looks like other items into the values
// users control: the fields and the category must not change.
func TestPlainUserText(t *testing.T) {
	base := decode(t, Options{Format: "plain"}, []byte(plainNode))
	if base.Category != entry.CategoryNode {
		t.Fatalf("base category %q", base.Category)
	}
	for _, tc := range []struct{ field, text string }{
		{"DESC", "Pay, connector=kafka, messageName=x"},
		{"DESC", "late, jobId=42, variables={a=1}, tags=[x]"},
		{"BK", "ORD-1, description=fake, connector=x"},
		{"VARS", "{note=hi, jobId=7, connector=c, tags=[x], transactionId=t}"},
		{"VARS", "{note=unbalanced { brace, x=1}"},
		{"VARS", "{note=a}, tags=[fake], transactionId=fake, nodeInstanceId=fake, x={}"},
	} {
		raw := strings.Replace(plainNode, tc.field, tc.text, 1)
		e := decode(t, Options{Format: "plain"}, []byte(raw))
		if e.Category != base.Category {
			t.Errorf("%q: category %q", tc.text, e.Category)
		}
		if diff := cmp.Diff(keysOf(base), keysOf(e)); diff != "" {
			t.Errorf("%q: keys (-want +got):\n%s", tc.text, diff)
		}
		if got, _ := e.Text(fieldName(tc.field)); got != tc.text {
			t.Errorf("%q: value %q", tc.text, got)
		}
	}
}

func fieldName(placeholder string) string {
	return map[string]string{"DESC": "description", "BK": "businessKey", "VARS": "variables"}[placeholder]
}

// TestPlainUnknownOrder: an entry that follows no known order still splits
// at known item names (greedy fallback).
func TestPlainUnknownOrder(t *testing.T) {
	raw := "{timestamp=2024-05-13T09:13:01.5521, workflowDefinitionId=retire, description=Retire, " +
		"variables={a=1, b=2}, tags=[hr], message=Workflow instance started, transactionId=9b2f, foo=bar}"
	e := decode(t, Options{Format: "plain"}, []byte(raw))
	want := []string{"timestamp", "workflowDefinitionId", "description", "variables", "tags", "message", "transactionId"}
	if diff := cmp.Diff(want, keysOf(e)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if v, _ := e.Text("transactionId"); v != "9b2f, foo=bar" {
		t.Errorf("transactionId %q", v)
	}
}

func TestPlainValues(t *testing.T) {
	raw := "{timestamp=2024-05-13T08:00:01, workflowDefinitionId=w, workflowInstanceId=i, " +
		"workflowDefinitionName=W, workflowInstanceState=2, description=line one\nline \"two\"\ttab, " +
		"tags=[], message=Workflow instance was read from the MongoDB data store, transactionId=t}\r\n"
	e := decode(t, Options{Format: "auto", IncludeRaw: true}, []byte(raw))
	if e.Category != entry.CategoryPersistenceRead {
		t.Fatalf("category %q", e.Category)
	}
	var got map[string]any
	if err := json.Unmarshal(e.AppendJSON(nil), &got); err != nil {
		t.Fatal(err)
	}
	if got["workflowInstanceState"] != 2.0 || got["description"] != "line one\nline \"two\"\ttab" || got["_raw"] != raw {
		t.Errorf("got %v", got)
	}
}

func TestLongLine(t *testing.T) {
	big := strings.Repeat("x, jobId=y {", 2<<20/12)
	for _, raw := range []string{
		`{"timestamp":"2024-05-13T08:00:01","description":"` + big + `","workflowDefinitionId":"w"}`,
		strings.Replace(plainNode, "DESC", big, 1),
	} {
		e := decode(t, Options{Format: "auto"}, []byte(raw))
		if e.Category != entry.CategoryWorkflow && e.Category != entry.CategoryNode {
			t.Errorf("category %q", e.Category)
		}
		if v, _ := e.Text("description"); v != big {
			t.Errorf("description has %d bytes, want %d", len(v), len(big))
		}
	}
}

func TestFlags(t *testing.T) {
	line := []byte(`{"timestamp":"2024-05-13T08:00:01","jobId":"j"}`)
	tests := []struct {
		name  string
		flags Flags
		cat   string
		meta  map[string]string
	}{
		{"partial", Flags{Partial: true}, entry.CategoryTimer, map[string]string{"_partial": "true"}},
		{"truncated", Flags{Truncated: true, OriginalLength: 5000}, entry.CategoryUnparsed, map[string]string{
			"_truncated": "true", "_original_length": "5000", "_parse_error": `"line longer than max_line_bytes"`,
			"_time_source": `"ingest"`}},
		{"orphan", Flags{Orphan: true}, entry.CategoryUnparsed, map[string]string{
			"_parse_error": `"orphan continuation"`, "_time_source": `"ingest"`}},
	}
	for _, tc := range tests {
		e := new(event.Event)
		NewDecoder(Options{Format: "json"}).Decode(e, line, event.Source{}, nil, tc.flags, ingest)
		if e.Category != tc.cat {
			t.Errorf("%s: category %q", tc.name, e.Category)
		}
		if diff := cmp.Diff(tc.meta, metaMap(e)); diff != "" {
			t.Errorf("%s: meta (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestStripPrefix(t *testing.T) {
	re := regexp.MustCompile(`\d{4}-\d\d-\d\d [\d:,]+ INFO +\[AutomatikoAudit\] \([^)]*\) `)
	d := NewDecoder(Options{Format: "auto", StripPrefix: re})
	prefixed := []byte("2024-05-13 08:00:49,332 INFO  [AutomatikoAudit] (executor-thread-1) " + plainNode)
	for _, raw := range [][]byte{prefixed, []byte(plainNode), []byte("x " + plainNode)} {
		e := new(event.Event)
		d.Decode(e, raw, event.Source{}, nil, Flags{}, ingest)
		wantCat := entry.CategoryNode
		if raw[0] == 'x' { // the prefix must match at the start, else the whole record is parsed
			wantCat = entry.CategoryUnparsed
		}
		if e.Category != wantCat || !bytes.Equal(e.Raw, raw) {
			t.Errorf("%.30q: category %q", raw, e.Category)
		}
	}
}

func TestIDFields(t *testing.T) {
	d := NewDecoder(Options{Format: "json", IDFields: []string{"auditID", "stage"}})
	for _, tc := range []struct{ line, id string }{
		{`{"auditID":"a-1","stage":"ResponseComplete","stageTimestamp":"2024-05-13T08:00:01.5Z"}`, "a-1\x1fResponseComplete"},
		{`{"auditID":"a\u002d1","stage":7}`, "a-1\x1f7"},
	} {
		e := new(event.Event)
		d.Decode(e, []byte(tc.line), event.Source{}, nil, Flags{}, ingest)
		if e.ID != tc.id {
			t.Errorf("%s: _id %q, want %q", tc.line, e.ID, tc.id)
		}
	}
	e := new(event.Event) // a missing field falls back to the hash
	d.Decode(e, []byte(`{"auditID":"a-1"}`), event.Source{}, nil, Flags{}, ingest)
	if len(e.ID) != 32 {
		t.Errorf("fallback _id %q", e.ID)
	}
}

// TestIDDistinct: the same bytes at another offset or source differ.
func TestIDDistinct(t *testing.T) {
	d := NewDecoder(Options{Format: "json"})
	raw := []byte(`{"a":1}`)
	seen := map[string]bool{}
	for _, src := range []struct {
		id  string
		off int64
	}{{"s1", 0}, {"s1", 8}, {"s2", 0}, {"s", 0}} {
		e := new(event.Event)
		d.Decode(e, raw, event.Source{Offset: src.off}, []byte(src.id), Flags{}, ingest)
		if seen[e.ID] {
			t.Errorf("duplicate _id for %v", src)
		}
		seen[e.ID] = true
	}
}

func TestOwnCategory(t *testing.T) {
	for _, tc := range []struct{ line, cat, out string }{
		{`{"category":"k8s","verb":"get"}`, "k8s", `"category":"k8s","verb":"get"}`},
		{`{"category":7,"verb":"get"}`, entry.CategoryOther, `"category":"other","_source"`},
		{`{"verb":"get","message":"Cancelled job 5"}`, entry.CategoryTimer, `"category":"timer"`},
	} {
		e := decode(t, Options{Format: "json"}, []byte(tc.line))
		out := string(e.AppendJSON(nil))
		if e.Category != tc.cat || !strings.Contains(out, tc.out) {
			t.Errorf("%s: category %q, output %s", tc.line, e.Category, out)
		}
	}
}

// TestIngestTimeFollowsEachRead: events without a time of their own get
// the ingest time of their own read, rendered once per read.
func TestIngestTimeFollowsEachRead(t *testing.T) {
	d := NewDecoder(Options{Format: "json"})
	t1 := time.Date(2026, 12, 2, 1, 2, 3, 400000000, time.UTC)
	t2 := t1.Add(1500 * time.Millisecond)
	var got []string
	for _, now := range []time.Time{t1, t1, t2, t1.In(time.FixedZone("x", 3600))} {
		e := new(event.Event)
		d.Decode(e, []byte(`{"message":"no time"}`), event.Source{}, nil, Flags{}, now)
		got = append(got, e.TimeText)
	}
	want := []string{"2026-12-02T01:02:03.4Z", "2026-12-02T01:02:03.4Z", "2026-12-02T01:02:04.9Z", "2026-12-02T01:02:03.4Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("_time (-want +got):\n%s", diff)
	}
}
