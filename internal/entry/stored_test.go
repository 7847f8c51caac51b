package entry

import (
	"testing"

	"github.com/auditship/auditship/internal/event"
)

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{`"a"`: "a", `"\u00e9\"x"`: `é"x`, `12`: "", `""`: ""} {
		if got := unquote([]byte(in)); got != want {
			t.Errorf("unquote(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestScanStoredLine(t *testing.T) {
	var e event.Event
	line := []byte(`{"_id":"ab12","_seq":42,"_time":"2024-05-13T08:00:01.5Z","category":"workflow","_source":{"input":"in"},"businessKey":"ORD-1"}`)
	if !ScanStoredLine(&e, line) {
		t.Fatal("a valid envelope line did not scan")
	}
	if e.ID != "ab12" || e.Seq != 42 || e.TimeText != "2024-05-13T08:00:01.5Z" || e.Category != "workflow" {
		t.Errorf("envelope values: %q %d %q %q", e.ID, e.Seq, e.TimeText, e.Category)
	}
	if v, ok := e.Text("businessKey"); !ok || v != "ORD-1" {
		t.Errorf("businessKey = %q, %v", v, ok)
	}
	if ScanStoredLine(&e, []byte(`not json`)) {
		t.Error("a line that is not an object scanned")
	}
}
