package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// twoPipelines has the file output "archive" in both pipelines and
// "copy" in orders only.
const twoPipelines = `
pipeline "orders" {
  input "stdin" "in" {}
  output "file" "archive" { path = %q }
  output "file" "copy" { path = %q }
}
pipeline "billing" {
  input "file" "in" { paths = ["/nonexistent/*.log"] }
  output "file" "archive" { path = %q }
}
`

func TestReplayUsage(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.hcl")
	src := fmt.Sprintf(twoPipelines, filepath.Join(dir, "a"), filepath.Join(dir, "c"), filepath.Join(dir, "b"))
	if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	tests := []struct {
		name string
		args []string
	}{
		{"no --to", []string{"--from", "archive"}},
		{"from is to", []string{"--from", "archive", "--to", "archive"}},
		{"unknown --to", []string{"--from", "archive", "--to", "nope"}},
		{"--to in two pipelines", []string{"--from", "copy", "--to", "archive"}},
		{"--from two stores", []string{"--from", "archive", "--to", "copy"}},
		{"bad --where", []string{"--from", "archive", "--to", "copy", "--pipeline", "orders", "--where", "a =="}},
		{"bad --since", []string{"--from", "archive", "--to", "copy", "--pipeline", "orders", "--since", "yesterday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"replay", "-c", cfg, "--data-dir", data}, tt.args...)
			if code := run(args); code != exitUsage {
				t.Errorf("replay %v: exit %d, want %d", tt.args, code, exitUsage)
			}
		})
	}
}

// An empty archive replays to completion: nothing to ship, exit 0, and
// the same command again finds it complete.
func TestReplayEmptySource(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.hcl")
	src := fmt.Sprintf(twoPipelines, filepath.Join(dir, "a"), filepath.Join(dir, "c"), filepath.Join(dir, "b"))
	if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"replay", "-c", cfg, "--data-dir", filepath.Join(dir, "data"), "--pipeline", "orders",
		"--from", "archive", "--to", "copy", "--log-level", "error"}
	for i := range 2 {
		if code := run(args); code != exitOK {
			t.Fatalf("run %d: exit %d, want 0", i, code)
		}
	}
}
