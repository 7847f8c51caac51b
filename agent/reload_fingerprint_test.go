package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent/config"
)

const fpBase = `# top
defaults {
  output "stdout" "console" { format = "json" }
}

pipeline "a" {
  input "stdin" "in" { format = "json" }
  output "file" "out" { path = "/tmp/a" }
}

pipeline "b" {
  input "file" "app" { paths = [file("paths.txt")] }
}
`

func loadFP(t *testing.T, dir, src, paths string) map[string]string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "paths.txt"), []byte(paths), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "c.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(path, Components())
	if len(diags) > 0 {
		t.Fatalf("config: %v", diags)
	}
	return fingerprints(cfg)
}

func TestFingerprints(t *testing.T) {
	dir := t.TempDir()
	base := loadFP(t, dir, fpBase, "/var/log/b.log")
	cases := []struct {
		name, src, paths string
		changed          []string
	}{
		{"same", fpBase, "/var/log/b.log", nil},
		{"comment outside the blocks", strings.Replace(fpBase, "# top", "# another comment\n\n", 1), "/var/log/b.log", nil},
		{"a's output", strings.Replace(fpBase, "/tmp/a", "/tmp/a2", 1), "/var/log/b.log", []string{"a"}},
		{"file() content", fpBase, "/var/log/other.log", []string{"b"}},
		{"defaults", strings.Replace(fpBase, `format = "json" }`+"\n}", `format = "plain" }`+"\n}", 1), "/var/log/b.log",
			[]string{"a", "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := loadFP(t, dir, c.src, c.paths)
			var changed []string
			for _, n := range []string{"a", "b"} {
				if got[n] != base[n] {
					changed = append(changed, n)
				}
			}
			if strings.Join(changed, ",") != strings.Join(c.changed, ",") {
				t.Errorf("changed %v, want %v", changed, c.changed)
			}
		})
	}
}
