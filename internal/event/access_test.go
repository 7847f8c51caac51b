package event

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func accessEvent() *Event {
	body := []byte(`{"s":"a\"b","n":1.5e2,"t":true,"z":null,"o":{"k":{"x":[10,"y",{"deep":"d"}]},"e":"\u00e9"},"dup":1,"dup":2,"added":"src"}`)
	return &Event{
		ID: "id1", Seq: 42, TimeText: "2024-05-13T08:00:01Z", Category: "workflow", Format: FormatJSON, Body: body,
		Fields: []Field{
			raw("s", `"a\"b"`), raw("n", "1.5e2"), raw("t", "true"), raw("z", "null"),
			raw("o", `{"k":{"x":[10,"y",{"deep":"d"}]},"e":"\u00e9"}`), raw("dup", "1"), raw("dup", "2"),
			raw("added", `"src"`), raw("category", `"own"`),
		},
		Meta:  []Field{raw("_partial", "true"), str("_time_source", "ingest")},
		Added: []Field{str("added", "processor"), {Key: []byte("num"), Value: []byte("-3"), Kind: KindNumber}},
	}
}

func TestGet(t *testing.T) {
	e := accessEvent()
	for _, tc := range []struct {
		path  string
		want  any
		found bool
	}{
		{"category", "workflow", true},
		{"_id", "id1", true},
		{"_seq", int64(42), true},
		{"_time", "2024-05-13T08:00:01Z", true},
		{"s", `a"b`, true},
		{"n", 150.0, true},
		{"t", true, true},
		{"z", nil, true},
		{"dup", 2.0, true},
		{"added", "processor", true},
		{"num", int64(-3), true},
		{"_partial", true, true},
		{"_time_source", "ingest", true},
		{"o.k.x.1", "y", true},
		{"o.k.x.2.deep", "d", true},
		{"o.e", "é", true},
		{"o.k.x", []any{10.0, "y", map[string]any{"deep": "d"}}, true},
		{"o.missing", nil, false},
		{"o.k.x.9", nil, false},
		{"s.x", nil, false},
		{"missing", nil, false},
		{"_id.x", nil, false},
	} {
		got, ok := e.Get(tc.path)
		if ok != tc.found || !cmp.Equal(got, tc.want) {
			t.Errorf("Get(%q) = %#v, %v; want %#v, %v", tc.path, got, ok, tc.want, tc.found)
		}
	}
}

func TestText(t *testing.T) {
	e := accessEvent()
	for _, tc := range []struct {
		path, want string
		found      bool
	}{
		{"_seq", "42", true},
		{"s", `a"b`, true},
		{"n", "1.5e2", true},
		{"z", "null", true},
		{"o.k", `{"x":[10,"y",{"deep":"d"}]}`, true},
		{"o.k.x.0", "10", true},
		{"added", "processor", true},
		{"num", "-3", true},
		{"nope", "", false},
	} {
		got, ok := e.Text(tc.path)
		if ok != tc.found || got != tc.want {
			t.Errorf("Text(%q) = %q, %v; want %q, %v", tc.path, got, ok, tc.want, tc.found)
		}
	}
}

func TestTextAllocs(t *testing.T) {
	e := &Event{Fields: []Field{str("a", "x"), raw("b", `"y"`)}}
	if n := testing.AllocsPerRun(100, func() { e.Text("a"); e.Text("b") }); n > 2 {
		t.Errorf("%v allocs, want at most one per string", n)
	}
}
