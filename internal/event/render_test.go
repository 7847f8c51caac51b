package event

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func str(k, v string) Field { return Field{Key: []byte(k), Value: []byte(v), Kind: KindString} }
func raw(k, v string) Field { return Field{Key: []byte(k), Value: []byte(v), Kind: KindJSON} }

func TestAppendJSONEscaping(t *testing.T) {
	e := &Event{
		ID: "i", Seq: 7, Category: "unparsed", Format: FormatUnparsed,
		Time:   time.Date(2024, 5, 13, 8, 0, 1, 5e8, time.FixedZone("x", 3600)),
		Source: Source{Input: "in", Path: `C:\"a"`, Offset: 12},
		Meta:   []Field{raw("_partial", "true"), str("_parse_error", "why")},
		Fields: []Field{str("message", "q\"b\\s\x00\x1f\n\r\t\xff\xfe é 🎉 \u2028")},
		Added:  []Field{str("k\n", "v"), {Key: []byte("n"), Value: []byte("12"), Kind: KindNumber}},
	}
	want := `{"_id":"i","_seq":7,"_time":"2024-05-13T07:00:01.5Z","category":"unparsed",` +
		`"_source":{"input":"in","path":"C:\\\"a\"","offset":12},"_partial":true,"_parse_error":"why",` +
		`"message":"q\"b\\s\u0000\u001f\n\r\t\ufffd\ufffd é 🎉 ` + "\u2028" + `","k\n":"v","n":12}`
	got := e.AppendJSON(nil)
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !json.Valid(got) {
		t.Error("invalid JSON")
	}
}

func TestAppendJSONPlainCollisions(t *testing.T) {
	e := &Event{
		ID: "i", TimeText: "T", Category: "c", Format: FormatPlain,
		Meta:   []Field{str("_raw", "r")},
		Fields: []Field{str("_raw", "x"), str("category", "y"), str("a", "1"), str("a", "2")},
		Added:  []Field{str("b", "3")},
	}
	want := `{"_id":"i","_seq":0,"_time":"T","category":"c","_source":{"input":"","path":"","offset":0},` +
		`"_raw":"r","_orig__raw":"x","_orig_category":"y","a":"2","b":"3"}`
	if diff := cmp.Diff(want, string(e.AppendJSON(nil))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAppendJSONSplice: the raw members are spliced only while the fields
// still alias the body in order.
func TestAppendJSONSplice(t *testing.T) {
	body := []byte(`{ "a" : 1 ,"b":"x" }`)
	e := &Event{Format: FormatJSON, Body: body, OwnCategory: true, Fields: []Field{
		{Key: body[3:4], Value: body[8:9]}, {Key: body[12:13], Value: body[15:18]},
	}}
	const head = `{"_id":"","_seq":0,"_time":"0001-01-01T00:00:00Z","_source":{"input":"","path":"","offset":0}`
	for _, tc := range []struct {
		name   string
		fields []Field
		want   string
	}{
		{"spliced", e.Fields, head + `,"a" : 1 ,"b":"x"}`},
		{"reordered", []Field{e.Fields[1], e.Fields[0]}, head + `,"b":"x","a":1}`},
		{"one dropped", e.Fields[1:], head + `,"b":"x"}`},
		{"foreign value", []Field{e.Fields[0], raw("b", "2")}, head + `,"a":1,"b":2}`},
	} {
		e.Fields = tc.fields
		if diff := cmp.Diff(tc.want, string(e.AppendJSON(nil))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestLoad64: one little-endian word from a string or a byte slice.
func TestLoad64(t *testing.T) {
	b := []byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09")
	if got, want := load64(b, 1), uint64(0x0908070605040302); got != want || load64(string(b), 1) != want {
		t.Errorf("load64 = %x (string %x), want %x", got, load64(string(b), 1), want)
	}
}
