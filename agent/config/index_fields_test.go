package config

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/index"
)

func TestIndexFields(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.hcl"), `
pipeline "p" {
  input "stdin" "in" {}
  output "file" "default" {
    path = "/tmp/a"
  }
  output "file" "own" {
    path         = "/tmp/b"
    index_fields = ["orderId", "category"]
  }
  output "file" "none" {
    path         = "/tmp/c"
    index_fields = []
  }
  output "stdout" "out" {}
}
`)
	cfg, diags := Load(filepath.Join(dir, "main.hcl"), testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var got [][]string
	for _, o := range cfg.Pipelines[0].Outputs {
		got = append(got, o.IndexFields)
	}
	want := [][]string{index.DefaultFields, {"orderId", "category"}, {}, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}
