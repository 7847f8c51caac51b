package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// applyDDL prints the config's DDL with `auditship ddl -c` and feeds it
// to the mariadb client in d's database, as an operator would:
// mariadb -h127.0.0.1 -P... -u... db < ddl.sql
func applyDDL(t *testing.T, d *myDB, cfg string) string {
	t.Helper()
	ddl, stderr, code := runOnce(t, "ddl", "-c", cfg)
	if code != 0 || !strings.Contains(ddl, "CREATE TABLE") {
		t.Fatalf("auditship ddl: exit %d, stdout %q, stderr %q", code, ddl, stderr)
	}
	if _, stderr, err := d.srv.cli(t, d.srv.addr, d.name, ddl); err != nil {
		t.Fatalf("mariadb %s < ddl.sql: %v: %s\n%s", d.name, err, stderr, ddl)
	}
	return ddl
}

// TestMySQLDDL applies `auditship ddl` with the mariadb client to an empty
// database (twice: it is idempotent), then runs with create_tables =
// false: every entry arrives, in the tables the DDL made.
func TestMySQLDDL(t *testing.T) {
	t.Parallel()
	d := sharedMySQL(t).database(t, true)
	cfg := config{dataDir: t.TempDir(), input: stdinInput(), outputs: []string{d.output(myOpts{})}}.write(t)
	applyDDL(t, d, cfg)
	applyDDL(t, d, cfg)
	want := strings.Join(append(defaultTables, batchesTable), ",")
	if got := d.count(t, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '"+d.name+
		"' AND FIND_IN_SET(table_name, '"+want+"')"); got != 3 {
		t.Fatalf("%d of the tables %s made by the DDL", got, want)
	}
	p := start(t, true, "run", "-c", cfg)
	ids := writeStdin(t, p, newEntryGen(t), &source{}, 2000)
	p.stdin.Close()
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, tallyRows(t, d.rows(t, defaultTables...)), ids)
	checkMySQLLog(t, p, d)
}

// TestMySQLValueTooLong maps workflowDefinitionId to a column the operator
// narrowed to VARCHAR(10): each entry whose flow name is longer is refused
// by the server (strict mode) and only that event goes to the dead-letter
// directory, counted; the other events of its batch are stored.
func TestMySQLValueTooLong(t *testing.T) {
	t.Parallel()
	d := sharedMySQL(t).database(t, true)
	dataDir, addr := t.TempDir(), freeAddr(t)
	table := `    table "audit" {
      columns = { flow = "workflowDefinitionId" }
    }
`
	cfg := config{dataDir: dataDir, metrics: addr, input: stdinInput(),
		outputs: []string{d.output(myOpts{extra: table})}}.write(t)
	applyDDL(t, d, cfg)
	d.exec(t, "ALTER TABLE "+d.name+".audit MODIFY flow VARCHAR(10) NULL")
	p := start(t, true, "run", "-c", cfg)
	good, bad := feedLongFlows(t, p, 2000)
	d.waitRows(t, len(good), 30*time.Second, "audit")
	counted := waitMetric(t, addr, "auditship_output_rejected_events_total", 20*time.Second,
		func(v float64) bool { return v >= float64(len(bad)) })
	if counted != float64(len(bad)) {
		t.Errorf("auditship_output_rejected_events_total = %v, want %d", counted, len(bad))
	}
	p.stdin.Close()
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, tallyRows(t, d.rows(t, "audit")), good)
	refused := refusedLines(t, dataDir)
	assertExact(t, refused, bad)
	t.Logf("%d events stored, %d refused (%v)", len(good), len(bad), refused)
	if lv := checkMySQLLog(t, p, d); lv["warn"]+lv["error"] == 0 {
		t.Error("the refused events left no warn or error line in the agent log")
	}
}

// feedLongFlows writes n entries to stdin, every fifth of a flow named
// with 27 characters, the others of flow "short"; it returns the _ids of
// both kinds.
func feedLongFlows(t *testing.T, p *proc, n int) (good, bad []string) {
	t.Helper()
	g, src := newEntryGen(t), &source{}
	bw := bufio.NewWriter(p.stdin)
	for i := range n {
		flow := []byte(`"workflowDefinitionId":"short"`)
		if i%5 == 0 {
			flow = []byte(`"workflowDefinitionId":"a-flow-name-far-too-long"`)
		}
		line := flowField.ReplaceAll(g.next(), flow)
		if id := src.add(line); i%5 == 0 {
			bad = append(bad, id)
		} else {
			good = append(good, id)
		}
		bw.Write(append(line, '\n'))
	}
	if err := bw.Flush(); err != nil {
		t.Fatalf("write stdin: %v", err)
	}
	return good, bad
}

// refusedLines reads the events kept in the output's dead-letter
// directory as refused (<batch>.refused.ndjson), and wants the index to
// name as many lines.
func refusedLines(t *testing.T, dataDir string) stored {
	t.Helper()
	dir := filepath.Join(outputDir(dataDir, "arch"), "deadletter")
	s := stored{ids: map[string]int{}}
	files, _ := filepath.Glob(filepath.Join(dir, "*.refused.ndjson"))
	for _, f := range files {
		s.files++
		if err := s.readFile(f); err != nil {
			t.Fatal(err)
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.jsonl"))
	if err != nil {
		t.Fatalf("dead-letter index: %v", err)
	}
	indexed := 0
	for _, line := range bytes.Split(bytes.TrimSpace(index), []byte("\n")) {
		var e struct{ Lines []int }
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("dead-letter index line %q: %v", line, err)
		}
		indexed += len(e.Lines)
	}
	if indexed != s.lines {
		t.Errorf("the dead-letter index names %d refused lines, the files hold %d", indexed, s.lines)
	}
	return s
}
