package format

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/auditship/auditship/internal/event"
)

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		for _, l := range lines(readFile(f, n)) {
			f.Add(l)
		}
	}
	for _, s := range []string{"", "{", `{"`, "{timestamp=", "{timestamp=2024-05-13T08:00:01}", `{"a":"\ud800"}`,
		plainNode, `{"a":[[[[{}]]]],"a":1,"_id":2}`} {
		f.Add([]byte(s))
	}
}

// fuzzDecode checks that decoding never panics, that the output is always
// valid JSON and that decoding is deterministic.
func fuzzDecode(f *testing.F, format string) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		d := NewDecoder(Options{Format: format, IncludeRaw: true})
		var out [2][]byte
		for i := range out {
			e := new(event.Event)
			d.Decode(e, raw, event.Source{Path: "-"}, []byte("s"), Flags{}, ingest)
			out[i] = e.AppendJSON(nil)
			if !json.Valid(out[i]) {
				t.Fatalf("invalid output for %q:\n%s", raw, out[i])
			}
			if e.Format == event.FormatJSON && !json.Valid(e.Body) {
				t.Fatalf("accepted invalid JSON %q", raw)
			}
		}
		if !bytes.Equal(out[0], out[1]) {
			t.Fatalf("not deterministic for %q", raw)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	seed(f, "json.log", "malformed.log")
	fuzzDecode(f, "json")
}

func FuzzDecodePlain(f *testing.F) {
	seed(f, "plain.log", "malformed.log")
	fuzzDecode(f, "plain")
}

func FuzzDecodeAuto(f *testing.F) {
	seed(f, "json.log", "plain.log", "malformed.log")
	fuzzDecode(f, "auto")
}
