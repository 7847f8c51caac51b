package event_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

var captureNames = []string{"identity", "businessKey", "_partial", "n", "k\n"}

func jsonEvent(t *testing.T, body string) *event.Event {
	t.Helper()
	b := []byte(body)
	fields, at := entry.ScanObject(b, nil)
	if at >= 0 {
		t.Fatalf("bad test body at %d: %s", at, body)
	}
	return &event.Event{ID: "i", TimeText: "T", Category: "c", Format: event.FormatJSON, Raw: b, Body: b, Fields: fields}
}

func text(k, v string) event.Field {
	return event.Field{Key: []byte(k), Value: []byte(v), Kind: event.KindString}
}

// lastMembers is the envelope's top-level members, the last of each key
// (what `field == 'x'` compares), raw.
func lastMembers(t *testing.T, env []byte) map[string]string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(env, &m); err != nil {
		t.Fatalf("envelope %s: %v", env, err)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// TestCapturePositions: every value noted is the rendered value of the
// top-level member named, and every named member rendered is noted, on
// the spliced path, the member-by-member path (escaped keys, duplicates,
// keys renamed _orig_), plain events, Meta and Added keys.
func TestCapturePositions(t *testing.T) {
	spliced := jsonEvent(t, `{"identity" : "ann","x":{"identity":"nested"},"businessKey":7}`)
	escaped := jsonEvent(t, `{"ident\u0069ty":"bob","businessKey":"k1","businessKey":"k2"}`)
	renamed := jsonEvent(t, `{"identity":"src","n":1}`)
	renamed.Added = []event.Field{text("identity", "set")}
	plain := &event.Event{ID: "i", TimeText: "T", Category: "c", Format: event.FormatPlain,
		Meta:   []event.Field{{Key: []byte("_partial"), Value: []byte("true")}},
		Fields: []event.Field{text("identity", `q"uote`), text("category", "y"), text("k\n", "v")}}
	none := jsonEvent(t, `{"other":1}`)
	for name, e := range map[string]*event.Event{"spliced": spliced, "escaped": escaped,
		"renamed": renamed, "plain": plain, "none": none} {
		t.Run(name, func(t *testing.T) {
			c := event.NewCapture(captureNames)
			prefix := []byte("head bytes")
			out := e.AppendJSONCapture(prefix, c)
			env := out[len(prefix):]
			if want := e.AppendJSON(nil); string(env) != string(want) {
				t.Fatalf("capture changed the rendering:\n%s\n%s", env, want)
			}
			got := map[string]string{}
			pos, ok := c.Positions()
			if !ok {
				t.Fatal("positions not noted")
			}
			ok = event.EachCaptured(pos, func(field, off, n int) {
				got[captureNames[field]] = string(env[off : off+n])
			})
			if !ok {
				t.Fatal("malformed positions")
			}
			want := map[string]string{}
			for k, v := range lastMembers(t, env) {
				for _, n := range captureNames {
					if k == n {
						want[k] = v
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("captured values (-want +got):\n%s\nenvelope %s", diff, env)
			}
		})
	}
}

// TestCaptureStoredEnvelope: an event read back from the buffer writes
// its stored envelope and notes nothing (its record's positions stand).
func TestCaptureStoredEnvelope(t *testing.T) {
	c := event.NewCapture(captureNames)
	e := jsonEvent(t, `{"identity":"ann"}`)
	e.AppendJSONCapture(nil, c)
	if pos, _ := c.Positions(); len(pos) == 0 {
		t.Fatal("nothing captured from a fresh event")
	}
	stored := &event.Event{Envelope: []byte(`{"identity":"ann"}`)}
	stored.AppendJSONCapture(nil, c)
	if pos, _ := c.Positions(); len(pos) != 0 {
		t.Errorf("positions %v noted for a stored envelope", pos)
	}
}

// TestCaptureBeyondPositions: a value past what a position can say makes
// the whole rendering's positions unusable, and the next one starts over.
func TestCaptureBeyondPositions(t *testing.T) {
	c := event.NewCapture(captureNames)
	big := jsonEvent(t, `{"identity":"ann","pad":"`+strings.Repeat("x", 70000)+`","businessKey":"k"}`)
	big.AppendJSONCapture(nil, c)
	if _, ok := c.Positions(); ok {
		t.Error("a value past 64 KiB was noted")
	}
	jsonEvent(t, `{"identity":"ann"}`).AppendJSONCapture(nil, c)
	if pos, ok := c.Positions(); !ok || len(pos) != event.PositionSize {
		t.Errorf("after a reset: positions %v, ok %v", pos, ok)
	}
}

func TestCaptureTag(t *testing.T) {
	a, b := event.CaptureTag([]string{"ab", "c"}), event.CaptureTag([]string{"a", "bc"})
	if a == b || a == 0 || a != event.CaptureTag([]string{"ab", "c"}) {
		t.Errorf("tags %x %x: want distinct, non-zero, stable", a, b)
	}
	if event.EachCaptured([]byte{1, 2, 3}, func(int, int, int) {}) {
		t.Error("a truncated position was accepted")
	}
}
