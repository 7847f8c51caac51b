package format

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

// TestRenderJSON checks the envelope after decoding: raw values spliced
// unchanged, collisions renamed, duplicates resolved, Added replacing.
func TestRenderJSON(t *testing.T) {
	const env = `{"_id":"ID","_seq":3,"_time":"2024-05-13T08:00:01Z",`
	const src = `"_source":{"input":"in","path":"p","offset":9}`
	tests := []struct {
		name, line string
		added      []event.Field
		want       string
	}{
		{"numbers and escapes", `{"timestamp":"2024-05-13T08:00:01","n":1.50E+10,"m":-0,"s":"a\u00e9\n\"\/","x":{ "y" : [1, 2.0] }}`, nil,
			env + `"category":"other",` + src + `,"timestamp":"2024-05-13T08:00:01","n":1.50E+10,"m":-0,"s":"a\u00e9\n\"\/","x":{ "y" : [1, 2.0] }}`},
		{"whitespace kept", `{ "timestamp" : "2024-05-13T08:00:01" ,	"a":1 }`, nil,
			env + `"category":"other",` + src + `,"timestamp" : "2024-05-13T08:00:01" ,	"a":1}`},
		// "\u005fid" is "_id" again: a duplicate, so only the last is kept.
		{"envelope collisions", `{"timestamp":"2024-05-13T08:00:01","_id":"x","_seq":1,"_time":2,"_source":{},"category":3,"\u005fid":4}`, nil,
			env + `"category":"other",` + src + `,"timestamp":"2024-05-13T08:00:01","_orig__seq":1,"_orig__time":2,"_orig__source":{},"_orig_category":3,"_orig_\u005fid":4}`},
		{"meta collision", `{"_time_source":"mine","a":1}`, nil,
			`{"_id":"ID","_seq":3,"_time":"2024-06-01T12:00:00.123456789Z","category":"other",` + src + `,"_time_source":"ingest","_orig__time_source":"mine","a":1}`},
		{"duplicates last wins", `{"timestamp":"2024-05-13T08:00:01","a":1,"b":2,"a":3}`, nil,
			env + `"category":"other",` + src + `,"timestamp":"2024-05-13T08:00:01","b":2,"a":3}`},
		{"added replaces", `{"timestamp":"2024-05-13T08:00:01","env":"dev","a":1}`,
			[]event.Field{{Key: []byte("env"), Value: []byte("prod"), Kind: event.KindString}},
			env + `"category":"other",` + src + `,"timestamp":"2024-05-13T08:00:01","a":1,"env":"prod"}`},
		{"own category", `{"timestamp":"2024-05-13T08:00:01","category":"k8s"}`, nil,
			env + src + `,"timestamp":"2024-05-13T08:00:01","category":"k8s"}`},
		{"empty object", `{}`, nil,
			`{"_id":"ID","_seq":3,"_time":"2024-06-01T12:00:00.123456789Z","category":"other",` + src + `,"_time_source":"ingest"}`},
	}
	for _, tc := range tests {
		e := new(event.Event)
		NewDecoder(Options{Format: "json", Input: "in"}).Decode(e, []byte(tc.line), event.Source{Path: "p", Offset: 9}, nil, Flags{}, ingest)
		e.ID, e.Seq, e.Added = "ID", 3, tc.added
		got := e.AppendJSON(nil)
		if diff := cmp.Diff(tc.want, string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if !json.Valid(got) {
			t.Errorf("%s: invalid JSON", tc.name)
		}
	}
}

// TestRenderEditedFields: a processor that edits a field's value must see
// its edit in the output (the raw splice is not used).
func TestRenderEditedFields(t *testing.T) {
	e := decode(t, Options{Format: "json"}, []byte(`{"a":"secret","b":1}`))
	e.Fields[0].Value = []byte(`"***"`)
	if got := string(e.AppendJSON(nil)); !strings.HasSuffix(got, `,"a":"***","b":1}`) {
		t.Errorf("got %s", got)
	}
	e.Fields = e.Fields[1:]
	if got := string(e.AppendJSON(nil)); !strings.HasSuffix(got, `"_time_source":"ingest","b":1}`) {
		t.Errorf("after removal got %s", got)
	}
}
