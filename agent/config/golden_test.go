package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden")

// TestBadConfigs loads each testdata/bad/NAME.hcl (or directory NAME) and
// compares every diagnostic with NAME.golden.
func TestBadConfigs(t *testing.T) {
	entries, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".hcl")
		if !ok && !e.IsDir() {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata/bad", e.Name()), filepath.Join("testdata/bad", name+".golden"))
		})
	}
	if n < 25 {
		t.Errorf("only %d bad configs", n)
	}
}

func checkGolden(t *testing.T, path, golden string) {
	t.Setenv("AUDITSHIP_TEST_SET", "set")
	cfg, diags := Load(path, testRegistry())
	if len(diags) == 0 {
		t.Fatalf("no diagnostics for %s", path)
	}
	if cfg != nil {
		t.Errorf("config returned along with diagnostics")
	}
	got := diags.Error() + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
