package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditship/auditship"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/inputs/file"
	"github.com/auditship/auditship/inputs/stdin"
	"github.com/auditship/auditship/outputs/azureblob"
	fileout "github.com/auditship/auditship/outputs/file"
	"github.com/auditship/auditship/outputs/mysql"
	"github.com/auditship/auditship/outputs/s3"
	"github.com/auditship/auditship/outputs/stdout"
	"github.com/auditship/auditship/processors/categories"
	"github.com/auditship/auditship/processors/filter"
	"github.com/auditship/auditship/processors/set"
)

// pluginDir is the folder of a plugin: its kind, then its type (Go
// package names have no '_': type azure_blob lives in outputs/azureblob).
func pluginDir(kind, typ string) string {
	return filepath.Join("..", kind, strings.ReplaceAll(typ, "_", ""))
}

// TestEveryPluginHasDocsAndAValidExample walks every registered factory:
// its folder is named for its type, holds a README.md and an example.hcl,
// and the example validates with the real registry.
func TestEveryPluginHasDocsAndAValidExample(t *testing.T) {
	reg := Components()
	wrap := map[string]string{
		"inputs":     "pipeline \"t\" {\n%s\noutput \"stdout\" \"o\" {}\n}\n",
		"processors": "pipeline \"t\" {\ninput \"stdin\" \"i\" {}\n%s\noutput \"stdout\" \"o\" {}\n}\n",
		"outputs":    "pipeline \"t\" {\ninput \"stdin\" \"i\" {}\n%s\n}\n",
	}
	all := map[string][]any{}
	for _, f := range reg.Inputs {
		all["inputs"] = append(all["inputs"], f)
	}
	for _, f := range reg.Processors {
		all["processors"] = append(all["processors"], f)
	}
	for _, f := range reg.Outputs {
		all["outputs"] = append(all["outputs"], f)
	}
	for kind, fs := range all {
		for _, f := range fs {
			typ := f.(interface{ Type() string }).Type()
			dir := pluginDir(kind, typ)
			t.Run(kind+"/"+typ, func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
					t.Errorf("no README.md: %v", err)
				}
				ex, err := os.ReadFile(filepath.Join(dir, "example.hcl"))
				if err != nil {
					t.Fatalf("no example.hcl: %v", err)
				}
				src := strings.Replace(wrap[kind], "%s", string(ex), 1)
				if _, diags := config.LoadBytes("example.hcl", []byte(src), reg); len(diags) > 0 {
					t.Errorf("example does not validate:\n%s", diags.Error())
				}
			})
		}
	}
}

// TestExamplesAreEmbedded checks the exported Example of each plugin is its
// example.hcl, so docs and code cannot drift.
func TestExamplesAreEmbedded(t *testing.T) {
	for dir, ex := range map[string]string{
		"../inputs/file": file.Example, "../inputs/stdin": stdin.Example,
		"../processors/categories": categories.Example, "../processors/filter": filter.Example,
		"../processors/set": set.Example, "../outputs/file": fileout.Example, "../outputs/stdout": stdout.Example,
		"../outputs/s3": s3.Example, "../outputs/azureblob": azureblob.Example, "../outputs/mysql": mysql.Example,
	} {
		b, _ := os.ReadFile(filepath.Join(dir, "example.hcl"))
		if string(b) != ex || ex == "" {
			t.Errorf("%s: Example differs from example.hcl", dir)
		}
	}
	if len(Components().Inputs)+len(Components().Processors)+len(Components().Outputs) != 10 {
		t.Errorf("a plugin was added: list its Example here too")
	}
}

func TestDefaultConfigValidates(t *testing.T) {
	cfg, diags := config.LoadBytes(auditship.DefaultConfigName, auditship.DefaultConfig, Components())
	if len(diags) > 0 {
		t.Fatalf("embedded config.hcl.example:\n%s", diags.Error())
	}
	if p, i, o := cfg.Counts(); p != 1 || i != 1 || o != 2 {
		t.Fatalf("counts = %d %d %d, want 1 1 2", p, i, o)
	}
}
