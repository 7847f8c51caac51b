package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/internal/event"
)

// ev is what TestCutEvents checks of a decoded event.
type ev struct {
	Raw        string
	Off, End   int64
	Category   string
	ParseError string
	Partial    bool
	Truncated  bool
}

var sourceID = bytes.Repeat([]byte{7}, 32)

// decodeAll decodes records as an input does; it also checks each _id
// against SPEC §4: SHA-256 over the source id, the offset and the bytes.
func decodeAll(t *testing.T, fmtName string, rs []Record) []ev {
	t.Helper()
	d := format.NewDecoder(format.Options{Format: fmtName, Input: "in"})
	var out []ev
	for _, r := range rs {
		var e event.Event
		fl := format.Flags{Partial: r.Partial, Truncated: r.Truncated, OriginalLength: r.OriginalLength, Orphan: r.Orphan}
		d.Decode(&e, r.Raw, event.Source{Path: "-", Offset: r.Offset, End: r.End}, sourceID, fl, time.Unix(0, 0))
		if want := idOf(r.Offset, r.Raw); e.ID != want {
			t.Errorf("record at %d: _id %s, want %s", r.Offset, e.ID, want)
		}
		out = append(out, ev{string(e.Raw), e.Source.Offset, e.Source.End, e.Category,
			metaText(&e, "_parse_error"), metaText(&e, "_partial") == "true", metaText(&e, "_truncated") == "true"})
	}
	return out
}

func idOf(off int64, raw []byte) string {
	var b []byte
	b = binary.BigEndian.AppendUint64(b, uint64(len(sourceID)))
	b = append(b, sourceID...)
	b = binary.BigEndian.AppendUint64(b, uint64(off))
	sum := sha256.Sum256(append(b, raw...))
	return hex.EncodeToString(sum[:16])
}

func metaText(e *event.Event, key string) string {
	for _, f := range e.Meta {
		if string(f.Key) == key {
			return string(f.Value)
		}
	}
	return ""
}

// TestCutEvents: a plain record that would not parse because text follows
// its entry's closing brace is cut there; the entry keeps its fields, the
// text is an unparsed event of its own, each with exact offsets and _id.
func TestCutEvents(t *testing.T) {
	src := readFile(t, "plain.log")
	ls := strings.SplitAfter(string(src), "\n")
	one, two := strings.TrimSuffix(ls[0], "\n"), strings.TrimSuffix(ls[1], "\n")
	multi := strings.TrimSuffix(strings.Join(ls[13:22], ""), "\n") // 9 lines, one entry
	n1, n2, nm := int64(len(one)+1), int64(len(two)+1), int64(len(multi)+1)
	long := strings.Repeat("x", 500)
	const notPlain, neither = "not an Automatiko plain entry", "neither JSON nor an Automatiko plain entry"
	jsonLine := `{"timestamp":"2024-05-13T08:00:01","jobId":"j"}`
	tests := []struct {
		name  string
		cfg   Config
		in    string
		flush bool // close with Flush instead of End
		want  []ev
	}{{
		name: "plain entry then a garbage line",
		cfg:  Config{Format: "plain"},
		in:   one + "\ngarbage line\n" + two + "\n",
		want: []ev{
			{Raw: one, End: n1, Category: "timer"},
			{Raw: "garbage line", Off: n1, End: n1 + 13, Category: "unparsed", ParseError: notPlain},
			{Raw: two, Off: n1 + 13, End: n1 + 13 + n2, Category: "workflow_variable"},
		},
	}, {
		name: "auto entry then garbage lines and blank lines",
		cfg:  Config{Format: "auto"},
		in:   one + "\n\ngarbage\n more\n\n",
		want: []ev{
			{Raw: one, End: n1, Category: "timer"},
			{Raw: "garbage\n more", Off: n1 + 1, End: n1 + 16, Category: "unparsed", ParseError: neither},
		},
	}, {
		name:  "flush closes entry and garbage",
		cfg:   Config{Format: "auto"},
		in:    one + "\ngarbage\n",
		flush: true,
		want: []ev{
			{Raw: one, End: n1, Category: "timer"},
			{Raw: "garbage", Off: n1, End: n1 + 8, Category: "unparsed", ParseError: neither},
		},
	}, {
		name: "multi-line entry then garbage",
		cfg:  Config{Format: "auto"},
		in:   multi + "\ngarbage\n",
		want: []ev{
			{Raw: multi, End: nm, Category: "workflow_variable"},
			{Raw: "garbage", Off: nm, End: nm + 8, Category: "unparsed", ParseError: neither},
		},
	}, {
		name: "multi-line entry stays one",
		cfg:  Config{Format: "plain"},
		in:   multi + "\n",
		want: []ev{{Raw: multi, End: nm, Category: "workflow_variable"}},
	}, {
		name: "json unaffected",
		cfg:  Config{Format: "json"},
		in:   jsonLine + "\ngarbage\n",
		want: []ev{
			{Raw: jsonLine, End: 48, Category: "timer"},
			{Raw: "garbage", Off: 48, End: 56, Category: "unparsed", ParseError: "invalid JSON at byte 0"},
		},
	}, {
		name: "auto json then garbage unaffected",
		cfg:  Config{Format: "auto"},
		in:   jsonLine + "\ngarbage\n",
		want: []ev{
			{Raw: jsonLine, End: 48, Category: "timer"},
			{Raw: "garbage", Off: 48, End: 56, Category: "unparsed", ParseError: neither},
		},
	}, {
		name: "over-long line after the garbage",
		cfg:  Config{Format: "auto", MaxLineBytes: 400},
		in:   one + "\ngarbage\n" + long + "\n",
		want: []ev{
			{Raw: one, End: n1, Category: "timer"},
			{Raw: "garbage", Off: n1, End: n1 + 8, Category: "unparsed", ParseError: neither},
			{Raw: long[:400], Off: n1 + 8, End: n1 + 509, Category: "unparsed",
				ParseError: "line longer than max_line_bytes", Truncated: true},
		},
	}, {
		name: "partial garbage at the end",
		cfg:  Config{Format: "plain"},
		in:   one + "\ngarb",
		want: []ev{
			{Raw: one, End: n1, Category: "timer"},
			{Raw: "garb", Off: n1, End: n1 + 4, Category: "unparsed", ParseError: notPlain, Partial: true},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops := []op{w(tc.in), end}
			if tc.flush {
				ops = []op{w(tc.in), flush}
			}
			for name, split := range chunkings(t) {
				rs := run(tc.cfg, 0, ops, split)
				checkTiling(t, []byte(tc.in), 0, tc.cfg, rs)
				got := decodeAll(t, tc.cfg.Format, rs)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s chunks: events (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}
