package record

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// span is an entry's first line (1-based) and line count.
type span struct{ First, Lines int }

// readSpans loads testdata/plain.spans, taken from the oracle
// expected.jsonl (plainLine, plainLines of every entry).
func readSpans(t *testing.T) []span {
	var out []span
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, "plain.spans")))
	for sc.Scan() {
		var s span
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &s.First, &s.Lines); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func spans(src []byte, rs []Record) []span {
	out := make([]span, 0, len(rs))
	for _, r := range rs {
		first := bytes.Count(src[:r.Offset], []byte("\n")) + 1
		out = append(out, span{first, bytes.Count(r.Raw, []byte("\n")) + 1})
	}
	return out
}

func TestPlainSample(t *testing.T) {
	src, want := readFile(t, "plain.log"), readSpans(t)
	for _, format := range []string{"plain", "auto"} {
		for name, split := range chunkings(t) {
			cfg := Config{Format: format, MaxLineBytes: mib}
			got := run(cfg, 0, []op{w(string(src)), end}, split)
			checkTiling(t, src, 0, cfg, got)
			if diff := cmp.Diff(want, spans(src, got)); diff != "" {
				t.Errorf("%s %s chunks: spans (-want +got):\n%s", format, name, diff)
			}
		}
	}
}

func TestJSONSample(t *testing.T) {
	src := readFile(t, "json.log")
	lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
	for _, format := range []string{"json", "auto"} {
		for name, split := range chunkings(t) {
			got := run(Config{Format: format}, 0, []op{w(string(src))}, split)
			var raws []string
			for _, r := range got {
				raws = append(raws, string(r.Raw))
			}
			if diff := cmp.Diff(lines, raws); diff != "" {
				t.Errorf("%s %s chunks: records (-want +got):\n%s", format, name, diff)
			}
		}
	}
}

// TestMalformedSample frames broken input (a cut JSON line, binary garbage,
// blank lines, a plain entry cut short) against a golden file.
func TestMalformedSample(t *testing.T) {
	src := readFile(t, "malformed.log")
	var want []byte
	for name, split := range chunkings(t) {
		got := render(run(Config{Format: "auto"}, 0, []op{w(string(src)), end}, split))
		if want == nil {
			want = golden(t, "malformed.golden", got)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s chunks: (-want +got):\n%s", name, diff)
		}
	}
}

func render(rs []Record) []byte {
	var b bytes.Buffer
	for _, r := range rs {
		fmt.Fprintf(&b, "[%d,%d) partial=%v truncated=%v/%d orphan=%v %q\n",
			r.Offset, r.End, r.Partial, r.Truncated, r.OriginalLength, r.Orphan, r.Raw)
	}
	return b.Bytes()
}

// golden returns the golden file's content, rewriting it first with -update.
func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return readFile(t, name)
}
