package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

// Two pipelines inherit the same mysql output, and a third has its own
// with one custom table: each CREATE TABLE is printed once.
const mysqlConfig = `
defaults {
  output "mysql" "db" {
    database = "audit"
  }
}
pipeline "a" {
  input "stdin" "in" {}
}
pipeline "b" {
  input "file" "in" {
    paths = ["/var/log/b.log"]
  }
  output "mysql" "custom" {
    database = "audit"
    table "flows" {
      columns = { flow = "workflowDefinitionId" }
    }
  }
}
`

func TestDDLPrintsMySQLTables(t *testing.T) {
	cfg, diags := config.Load(writeConfig(t, mysqlConfig), agent.Components())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var all, custom bytes.Buffer
	if err := writeDDL(&all, cfg, ""); err != nil {
		t.Fatal(err)
	}
	if err := writeDDL(&custom, cfg, "custom"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"auditship_events", "auditship_integration_events", "auditship_batches", "auditship_checkpoints", "flows"} {
		if n := strings.Count(all.String(), "CREATE TABLE IF NOT EXISTS `"+table+"`"); n != 1 {
			t.Errorf("%d CREATE TABLE of %s, want 1:\n%s", n, table, all.String())
		}
	}
	if s := custom.String(); !strings.Contains(s, "`flows`") || strings.Contains(s, "auditship_events") ||
		!strings.HasSuffix(s, ";\n\n") {
		t.Errorf("ddl --output custom:\n%s\nwant flows and auditship_batches only, each ending with ;", s)
	}
}

// TestDDLCommandWithMySQL runs `auditship ddl -c` on a config with mysql
// outputs: exit 0, the statements on stdout.
func TestDDLCommandWithMySQL(t *testing.T) {
	path := writeConfig(t, mysqlConfig)
	var code int
	out := captureStdout(t, func() { code = run([]string{"ddl", "-c", path, "--output", "db"}) })
	if code != exitOK || strings.Count(out, "CREATE TABLE IF NOT EXISTS") != 4 || !strings.Contains(out, "`auditship_checkpoints`") || strings.Contains(out, "`flows`") {
		t.Errorf("ddl --output db: exit %d, stdout:\n%s\nwant 0, the default tables, auditship_batches and auditship_checkpoints", code, out)
	}
}

// captureStdout returns what fn writes to os.Stdout.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	defer func() { os.Stdout = old }()
	fn()
	w.Close()
	return <-got
}
