package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

// fakeDDL stands for an output config that needs tables.
type fakeDDL struct {
	stmts []string
	err   error
}

func (f fakeDDL) DDL() ([]string, error) { return f.stmts, f.err }

func pipeline(name string, enabled bool, outs ...*config.Output) *config.Pipeline {
	return &config.Pipeline{Name: name, Enabled: enabled, Outputs: outs}
}

func output(name string, enabled bool, cfg any) *config.Output {
	return &config.Output{Type: "x", Name: name, Enabled: enabled, Config: cfg}
}

func TestDDLStatementsDedupesAndFilters(t *testing.T) {
	shared := fakeDDL{stmts: []string{"CREATE TABLE a (x INT)", "CREATE TABLE b (y INT);"}}
	cfg := &config.Config{Pipelines: []*config.Pipeline{
		pipeline("p1", true, output("db", true, shared), output("files", true, struct{}{})),
		pipeline("p2", true, output("db", true, shared), output("other", true, fakeDDL{stmts: []string{"CREATE TABLE c (z INT)"}})),
		pipeline("off", false, output("db", true, fakeDDL{stmts: []string{"CREATE TABLE off (z INT)"}})),
		pipeline("p3", true, output("db", false, fakeDDL{stmts: []string{"CREATE TABLE disabled (z INT)"}})),
	}}
	tests := []struct {
		name, want string
	}{
		{"", "CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n\nCREATE TABLE c (z INT);\n\n"},
		{"db", "CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n\n"},
		{"other", "CREATE TABLE c (z INT);\n\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := writeDDL(&b, cfg, tt.name); err != nil || b.String() != tt.want {
			t.Errorf("--output %q: got %q (%v), want %q", tt.name, b.String(), err, tt.want)
		}
	}
}

func TestDDLErrors(t *testing.T) {
	cfg := &config.Config{Pipelines: []*config.Pipeline{
		pipeline("p", true, output("files", true, struct{}{}), output("bad", true, fakeDDL{err: errors.New("table x: bad column")})),
	}}
	tests := []struct{ name, want string }{
		{"files", `output "files" (type x) has no DDL`},
		{"nope", `no enabled output is named "nope"`},
		{"bad", `output "bad": table x: bad column`},
	}
	for _, tt := range tests {
		if err := writeDDL(&bytes.Buffer{}, cfg, tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--output %q: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	none := &config.Config{Pipelines: []*config.Pipeline{pipeline("p", true, output("files", true, struct{}{}))}}
	if err := writeDDL(&bytes.Buffer{}, none, ""); !errors.Is(err, errNoDDL) {
		t.Errorf("no DDL-capable output: error %v, want errNoDDL", err)
	}
}

const fileConfig = `
pipeline "p" {
  input "stdin" "in" {}
  output "file" "archive" {
    path = "./archive"
  }
}
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.hcl")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDDLCommandExitCodes: usage and config errors exit 2, and so does a
// config without an output that has DDL.
func TestDDLCommandExitCodes(t *testing.T) {
	good := writeConfig(t, fileConfig)
	bad := writeConfig(t, "pipeline \"p\" {\n  nonsense = 1\n}\n")
	for _, args := range [][]string{
		{"-c", good},                        // no DDL-capable output
		{"-c", good, "--output", "archive"}, // an output without DDL
		{"-c", good, "--output", "missing"}, // no such output
		{"-c", bad},                         // config error
		{"-c", good, "--bogus"},             // unknown flag
		{"-c", good, "extra"},               // stray argument
		{"-c", good, "--output"},            // flag without its value
	} {
		if code := run(append([]string{"ddl"}, args...)); code != exitUsage {
			t.Errorf("ddl %v exited %d, want %d", args, code, exitUsage)
		}
	}
}

// TestDDLOfTheRealRegistry: with the plugins this build has, a config
// loads for ddl as for validate, and each listed output type either has
// DDL or is refused by name.
func TestDDLOfTheRealRegistry(t *testing.T) {
	cfg, diags := config.Load(writeConfig(t, fileConfig), agent.Components())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	err := writeDDL(&bytes.Buffer{}, cfg, "archive")
	if err == nil || !strings.Contains(err.Error(), "type file") {
		t.Errorf("ddl --output archive (a file output): %v, want it refused naming its type", err)
	}
}
