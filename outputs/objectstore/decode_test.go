package objectstore

import (
	"strings"
	"testing"
)

// TestEachLineLongLinesAndReuse: lines longer than the reader's buffer
// come whole, and a last line without its newline too.
func TestEachLineLongLinesAndReuse(t *testing.T) {
	want := []string{`{"a":1}`, `{"b":"` + strings.Repeat("x", 200<<10) + `"}`, `{"c":3}`, `{"d":"` + strings.Repeat("y", 70<<10) + `"}`, `{"e":5}`}
	body := strings.Join(want, "\n") // no newline after the last
	var got []string
	err := EachLine(strings.NewReader(body), FormatNDJSON, func(i int, line []byte) error {
		if i != len(got) {
			t.Fatalf("line numbered %d, want %d", i, len(got))
		}
		got = append(got, string(line))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: %d bytes, want %d", i, len(got[i]), len(want[i]))
		}
	}

	arr := "[\n" + strings.Join(want[:3], ",\n") + "\n]\n"
	got = got[:0]
	if err := EachLine(strings.NewReader(arr), FormatJSONArray, func(_ int, line []byte) error {
		got = append(got, string(line))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want[:3], "\n") {
		t.Fatalf("json_array: got %d lines, want the 3 events", len(got))
	}
}
