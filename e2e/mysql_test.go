package e2e

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMySQLDefaultTables pipes 100,000 entries (a tenth of them messaging)
// through one pipeline with
// a file output and a mysql output on the default tables: every entry is
// stored exactly once (by _id and by content), messaging entries in
// auditship_integration_events and the others in auditship_events, each
// row's entry byte for byte the line the file output wrote, and
// auditship_batches accounts for every row.
func TestMySQLDefaultTables(t *testing.T) {
	t.Parallel()
	const n = 100_000
	d := sharedMySQL(t).database(t, true)
	out := t.TempDir()
	cfg := config{dataDir: t.TempDir(), input: stdinInput(), shutdown: "3m",
		outputs: []string{fileOutput("files", out), d.output(myOpts{create: true})}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	began := time.Now()
	ids := feedMessaging(t, p, n)
	p.stdin.Close()
	if code := p.wait(3 * time.Minute); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	t.Logf("%d entries through file and mysql in %v", n, time.Since(began).Round(time.Millisecond))
	rows := d.rows(t, defaultTables...)
	assertExact(t, tallyRows(t, rows), ids)
	checkSameAsFiles(t, rows, fileLines(t, out))
	checkContentOnce(t, rows, n)
	if got := d.count(t, "SELECT SUM(`count`) FROM DB."+batchesTable); got != n {
		t.Errorf("auditship_batches counts %d events, want %d", got, n)
	}
	checkMySQLLog(t, p, d)
}

// feedMessaging writes n entries to stdin, every tenth a message sent by
// a connector (category messaging, FORMATS.md rule 4), and returns their
// _ids.
func feedMessaging(t *testing.T, p *proc, n int) []string {
	t.Helper()
	g, src := newEntryGen(t), &source{}
	bw := bufio.NewWriter(p.stdin)
	ids := make([]string, 0, n)
	for i := range n {
		line := g.next()
		if i%10 == 3 {
			line = append([]byte(`{"connector":"kafka","messageName":"orderShipped",`), line[1:]...)
		}
		ids = append(ids, src.add(line))
		bw.Write(append(line, '\n'))
	}
	if err := bw.Flush(); err != nil {
		t.Fatalf("write stdin: %v", err)
	}
	return ids
}

// fileLines reads every line the file output wrote, by _id.
func fileLines(t *testing.T, dir string) map[string]string {
	t.Helper()
	lines := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !isBatchFile(e.Name()) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			id, ok := leadingID(sc.Bytes())
			if !ok {
				return fmt.Errorf("%s: a line without a leading _id: %.80q", path, sc.Text())
			}
			lines[id] = sc.Text()
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// leadingID returns the _id an envelope line starts with (SPEC §4: _id
// first, 32 hex digits), without decoding the whole line.
func leadingID(line []byte) (string, bool) {
	const prefix = `{"_id":"`
	if len(line) < len(prefix)+33 || string(line[:len(prefix)]) != prefix || line[len(prefix)+32] != '"' {
		return "", false
	}
	return string(line[len(prefix) : len(prefix)+32]), true
}

// checkSameAsFiles wants each row's entry to be the file output's line for
// its _id, and each row in the table its category routes it to.
func checkSameAsFiles(t *testing.T, rows []myRow, lines map[string]string) {
	t.Helper()
	bad, messaging := 0, 0
	for _, r := range rows {
		want := eventsTable
		if r.env.Category == "messaging" {
			want = integrationTable
			messaging++
		}
		if r.table != want {
			t.Errorf("event %s of category %q in %s, want %s", r.id, r.env.Category, r.table, want)
		}
		if line, ok := lines[r.id]; !ok || line != r.entry {
			if bad++; bad <= 3 {
				t.Errorf("entry of %s differs from the file output's line:\n  mysql %.200q\n  file  %.200q", r.id, r.entry, line)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d entries differ from the file output", bad, len(rows))
	}
	if messaging == 0 {
		t.Error("no messaging event among the rows: the routing was not exercised")
	}
	t.Logf("%d rows, %d of them messaging", len(rows), messaging)
}

// checkContentOnce counts the rows by the source's own timestamp, unique
// per generated entry: each of the n entries once.
func checkContentOnce(t *testing.T, rows []myRow, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.env.Timestamp]++
	}
	twice := 0
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	if len(seen) != n || twice > 0 {
		t.Errorf("by content: %d distinct entries (%d stored more than once), want %d once each", len(seen), twice, n)
	}
}
