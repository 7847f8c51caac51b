package format

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var ingest = time.Date(2024, 6, 1, 12, 0, 0, 123456789, time.UTC)

// oracleEntry is one line of testdata/expected.jsonl.
type oracleEntry struct {
	Category   string                     `json:"category"`
	PlainLine  int                        `json:"plainLine"`
	PlainLines int                        `json:"plainLines"`
	Items      map[string]json.RawMessage `json:"items"`
	keys       []string                   // items' keys in file order
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lines(b []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func readOracle(t testing.TB) []oracleEntry {
	t.Helper()
	var out []oracleEntry
	for _, l := range lines(readFile(t, "expected.jsonl")) {
		var o oracleEntry
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatal(err)
		}
		o.keys = orderedKeys(t, l)
		out = append(out, o)
	}
	return out
}

// orderedKeys returns the keys of the "items" object in file order.
func orderedKeys(t testing.TB, line []byte) []string {
	t.Helper()
	var wrap struct{ Items json.RawMessage }
	if err := json.Unmarshal(line, &wrap); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(wrap.Items))
	var keys []string
	dec.Token() // {
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// plainEntries cuts plain.log into the oracle's entries.
func plainEntries(t testing.TB, oracle []oracleEntry) [][]byte {
	ls := lines(readFile(t, "plain.log"))
	out := make([][]byte, len(oracle))
	for i, o := range oracle {
		out[i] = bytes.Join(ls[o.PlainLine-1:o.PlainLine-1+o.PlainLines], []byte("\n"))
	}
	return out
}

func keysOf(e *event.Event) []string {
	var ks []string
	for _, f := range e.Fields {
		ks = append(ks, string(f.Key))
	}
	return ks
}

func decode(t testing.TB, opts Options, raw []byte) *event.Event {
	t.Helper()
	e := new(event.Event)
	NewDecoder(opts).Decode(e, raw, event.Source{Path: "-"}, []byte("source"), Flags{}, ingest)
	return e
}

func TestJSONSamples(t *testing.T) {
	oracle := readOracle(t)
	ls := lines(readFile(t, "json.log"))
	if len(ls) != len(oracle) {
		t.Fatalf("json.log has %d lines, oracle %d", len(ls), len(oracle))
	}
	for _, format := range []string{"json", "auto"} {
		d := NewDecoder(Options{Format: format})
		e := new(event.Event)
		for i, l := range ls {
			d.Decode(e, l, event.Source{}, nil, Flags{}, ingest)
			if diff := compareJSONEntry(e, oracle[i]); diff != "" {
				t.Errorf("%s entry %d: %s", format, i+1, diff)
			}
		}
	}
}

func compareJSONEntry(e *event.Event, o oracleEntry) string {
	if e.Category != o.Category {
		return fmt.Sprintf("category %q, want %q", e.Category, o.Category)
	}
	if diff := cmp.Diff(o.keys, keysOf(e)); diff != "" {
		return "keys (-want +got):\n" + diff
	}
	for _, f := range e.Fields {
		var got, want any
		if err := json.Unmarshal(f.Value, &got); err != nil {
			return err.Error()
		}
		json.Unmarshal(o.Items[string(f.Key)], &want)
		if diff := cmp.Diff(want, got); diff != "" {
			return string(f.Key) + " (-want +got):\n" + diff
		}
	}
	return ""
}

// TestPlainSamples compares each plain entry with the oracle. Plain values
// are the engine's Java rendering: an oracle string must match exactly; a
// number or boolean must match its JSON literal; a nested object or array
// (rendered by Java's toString, e.g. "Order [orderNumber=..]") must contain
// every scalar leaf of the oracle's value as text.
func TestPlainSamples(t *testing.T) {
	oracle := readOracle(t)
	entries := plainEntries(t, oracle)
	for _, format := range []string{"plain", "auto"} {
		d := NewDecoder(Options{Format: format})
		e := new(event.Event)
		for i, raw := range entries {
			d.Decode(e, raw, event.Source{}, nil, Flags{}, ingest)
			if diff := comparePlainEntry(e, oracle[i]); diff != "" {
				t.Errorf("%s entry %d (line %d): %s", format, i+1, oracle[i].PlainLine, diff)
			}
		}
	}
}

func comparePlainEntry(e *event.Event, o oracleEntry) string {
	if e.Category != o.Category {
		return fmt.Sprintf("category %q, want %q", e.Category, o.Category)
	}
	if diff := cmp.Diff(o.keys, keysOf(e)); diff != "" {
		return "keys (-want +got):\n" + diff
	}
	for _, f := range e.Fields {
		if msg := comparePlainValue(string(f.Value), o.Items[string(f.Key)]); msg != "" {
			return string(f.Key) + ": " + msg
		}
	}
	return ""
}

func comparePlainValue(got string, want json.RawMessage) string {
	var v any
	json.Unmarshal(want, &v)
	switch v := v.(type) {
	case string:
		if got != v {
			return fmt.Sprintf("%q, want %q", got, v)
		}
	case map[string]any, []any:
		for _, leaf := range leaves(v, nil) {
			if !strings.Contains(got, leaf) {
				return fmt.Sprintf("%q lacks %q", got, leaf)
			}
		}
	default:
		if got != string(want) {
			return fmt.Sprintf("%q, want %s", got, want)
		}
	}
	return ""
}

func leaves(v any, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			out = leaves(x, out)
		}
	case []any:
		for _, x := range v {
			out = leaves(x, out)
		}
	case nil:
		out = append(out, "null") // Java renders a null member as "null"
	default:
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func TestGoldenLines(t *testing.T) {
	for _, tc := range []struct{ sample, format, golden string }{
		{"json.log", "json", "golden_json.txt"},
		{"plain.log", "plain", "golden_plain.txt"},
		{"json.log", "auto", "golden_json.txt"},
		{"plain.log", "auto", "golden_plain.txt"},
	} {
		first := lines(readFile(t, tc.sample))[0]
		sourceID := sha256.Sum256(first)
		e := new(event.Event)
		d := NewDecoder(Options{Format: tc.format, Input: "in"})
		d.Decode(e, first, event.Source{Path: "-"}, sourceID[:], Flags{}, ingest)
		e.Seq = 1
		got := append(e.AppendJSON(nil), '\n')
		checkGolden(t, tc.golden, got)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(string(readFile(t, name)), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
