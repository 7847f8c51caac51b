package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// replayEvent is one line the replay tests write: token n, an event time
// 10 s after the one before, 50 consecutive lines per workflow instance.
type replayEvent struct {
	n        int
	time     time.Time
	instance string
}

var replayBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func replayEvents(count int) []replayEvent {
	evs := make([]replayEvent, count)
	for n := range evs {
		evs[n] = replayEvent{n: n, time: replayBase.Add(time.Duration(n) * 10 * time.Second),
			instance: fmt.Sprintf("wi-%03d", n/50)}
	}
	return evs
}

func (e replayEvent) line() string {
	return fmt.Sprintf(`{"timestamp":%q,"workflowDefinitionId":"orders","workflowInstanceId":%q,"businessKey":"bk-%d",`+
		`"n":%d,"message":"step %d"}`, e.time.Format("2006-01-02T15:04:05.000Z"), e.instance, e.n/50, e.n, e.n)
}

// want lists the tokens of evs that keep selects.
func want(evs []replayEvent, keep func(replayEvent) bool) map[int]bool {
	out := map[int]bool{}
	for _, e := range evs {
		if keep(e) {
			out[e.n] = true
		}
	}
	return out
}

// shipStdin runs the agent on cfg (a stdin input) with the events on its
// stdin until it exits 0: everything is stored.
func shipStdin(t *testing.T, cfg string, evs []replayEvent) {
	t.Helper()
	p := start(t, true, "run", "-c", cfg)
	w := bufio.NewWriterSize(p.stdin, 1<<20)
	for _, e := range evs {
		fmt.Fprintln(w, e.line())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	p.stdin.Close()
	if code := p.wait(120 * time.Second); code != 0 {
		t.Fatalf("run exit code %d, want 0", code)
	}
}

// fileStoreOutput is a file output of small batches.
func fileStoreOutput(name, dir string, maxEvents int) string {
	return fmt.Sprintf(`  output "file" %q {
    path = %q
    batch {
      max_events = %d
      interval   = "500ms"
    }
  }
`, name, dir, maxEvents)
}

// replaySummary is replay's summary line.
type replaySummary struct {
	listed, selected, read    int
	matched, shipped, present int
	stream                    string
}

var summaryForm = regexp.MustCompile(`replay complete: (\d+) batches listed, (\d+) selected, (\d+) read; ` +
	`(\d+) events matched, (\d+) shipped, (\d+) already present; stream ([0-9a-f]+);`)

func parseSummary(t *testing.T, out string) replaySummary {
	t.Helper()
	m := summaryForm.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in replay's output %q", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return replaySummary{listed: n(1), selected: n(2), read: n(3), matched: n(4), shipped: n(5), present: n(6), stream: m[7]}
}

// runReplay runs `auditship replay` to completion (exit 0).
func runReplay(t *testing.T, cfg, dataDir, from, to string, args ...string) replaySummary {
	t.Helper()
	p := start(t, false, append([]string{"replay", "-c", cfg, "--data-dir", dataDir, "--from", from, "--to", to}, args...)...)
	if code := p.wait(120 * time.Second); code != 0 {
		t.Fatalf("replay --from %s --to %s %v: exit %d, want 0; stdout %q", from, to, args, code, p.stdout.String())
	}
	return parseSummary(t, p.stdout.String())
}

// verifyOK runs `auditship verify` on an output and wants it intact.
func verifyOK(t *testing.T, cfg, output string) {
	t.Helper()
	out, errOut, code := runOnce(t, "verify", "-c", cfg, "--output", output)
	if code != 0 {
		t.Errorf("verify --output %s: exit %d, want 0\n%s%s", output, code, out, errOut)
	}
}

// tokens reads the _id and n of envelope lines; it reports a line twice
// in the set by its count.
type tokens struct {
	byN  map[int]int
	byID map[string]int
}

func newTokens() tokens { return tokens{byN: map[int]int{}, byID: map[string]int{}} }

func (tk tokens) addLines(t *testing.T, body []byte) {
	t.Helper()
	for _, l := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
		if len(l) > 0 {
			tk.add(t, l)
		}
	}
}

func (tk tokens) add(t *testing.T, line []byte) {
	t.Helper()
	var env struct {
		ID string `json:"_id"`
		N  *int   `json:"n"`
	}
	if err := json.Unmarshal(line, &env); err != nil || env.N == nil {
		t.Errorf("stored line %.100q: %v", line, err)
		return
	}
	tk.byN[*env.N]++
	tk.byID[env.ID]++
}

// check wants exactly the tokens of want, each once, and as many _ids.
func (tk tokens) check(t *testing.T, what string, want map[int]bool) {
	t.Helper()
	var missing, extra, dup []int
	for n := range want {
		if tk.byN[n] == 0 {
			missing = append(missing, n)
		}
	}
	for n, c := range tk.byN {
		if !want[n] {
			extra = append(extra, n)
		}
		if c > 1 {
			dup = append(dup, n)
		}
	}
	dupIDs := 0
	for _, c := range tk.byID {
		if c > 1 {
			dupIDs++
		}
	}
	if len(missing)+len(extra)+len(dup)+dupIDs > 0 || len(tk.byID) != len(want) {
		t.Errorf("%s: %d events, %d _ids, want %d; missing %v, not wanted %v, stored twice %v, _ids stored twice %d",
			what, len(tk.byN), len(tk.byID), len(want), first(missing), first(extra), first(dup), dupIDs)
	}
}

func first(ns []int) []int { return ns[:min(len(ns), 10)] }

// streamRows reads the entries a mysql database holds for stream.
func streamRows(t *testing.T, d *myDB, stream string) tokens {
	t.Helper()
	tk := newTokens()
	for _, tb := range defaultTables {
		rs, err := d.root.Query(fmt.Sprintf("SELECT `entry` FROM %s.%s WHERE `stream` = ?", d.name, tb), stream)
		if err != nil {
			t.Fatalf("read %s: %v", tb, err)
		}
		for rs.Next() {
			var e []byte
			if err := rs.Scan(&e); err != nil {
				t.Fatal(err)
			}
			tk.add(t, e)
		}
		rs.Close()
	}
	return tk
}

// allRows counts the rows of a mysql database's event tables.
func allRows(t *testing.T, d *myDB) int {
	t.Helper()
	return d.count(t, "SELECT (SELECT COUNT(*) FROM DB.auditship_events) + (SELECT COUNT(*) FROM DB.auditship_integration_events)")
}

// streamObjects reads the batches of stream under replay/ in a bucket.
func streamObjects(t *testing.T, st *s3Store, stream string) tokens {
	t.Helper()
	tk := newTokens()
	for _, obj := range st.objects(t) {
		if !strings.HasPrefix(obj.key, "replay/") || !strings.Contains(obj.key, stream+"-") {
			continue
		}
		r, err := decompress(obj.key, bytes.NewReader(obj.body))
		if err != nil {
			t.Fatalf("%s: %v", obj.key, err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil {
			t.Fatalf("%s: %v", obj.key, err)
		}
		tk.addLines(t, buf.Bytes())
	}
	return tk
}

// replayConfig is the config replay reads: the sources and the targets
// in pipeline e2e (never run: the targets get only what replay ships).
func replayConfig(t *testing.T, blocks ...string) string {
	return config{input: stdinInput(), outputs: blocks}.write(t)
}

func tempDir(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }
