// Package prometheus_test checks the shipped alert rules with the real
// promtool and against the metrics the Go code registers.
package prometheus_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const root = "../.."

// requireServices is set by `make test`: a missing promtool fails there.
var requireServices = os.Getenv("AUDITSHIP_REQUIRE_SERVICES") == "1"

// promtool finds promtool; under `make test` scripts/promtool.sh installs
// the Debian package first when it is missing.
func promtool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if !requireServices {
		t.Skip("promtool not installed (scripts/promtool.sh installs it; make test requires it)")
	}
	out, err := exec.Command(filepath.Join(root, "scripts", "promtool.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/promtool.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestAlertRulesPassPromtool(t *testing.T) {
	p := promtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		out, err := exec.Command(p, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// metricName is a metric name as the rules and the README write it.
var metricName = regexp.MustCompile(`\bauditship_[a-z0-9_]+`)

// registered matches a metric name where Go code creates a collector: an
// Opts' Name field, or a constructor helper's name argument followed by
// its help string (capitalised).
var registered = regexp.MustCompile(`(?:Name:\s*"(auditship_[a-z0-9_]+)"|"(auditship_[a-z0-9_]+)",\s*"[A-Z0-9])`)

// codeMetrics lists the metric names the Go sources (tests aside) create.
func codeMetrics(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		for _, m := range registered.FindAllSubmatch(src, -1) {
			names = append(names, string(m[1])+string(m[2]))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) < 40 {
		t.Fatalf("found only %d metrics in the Go sources: %v", len(names), names)
	}
	return names
}

// TestAlertRulesUseRegisteredMetrics: a renamed metric would leave a rule
// that never fires; every name the rules use must be created in the code.
func TestAlertRulesUseRegisteredMetrics(t *testing.T) {
	rules, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	code := codeMetrics(t)
	used := metricName.FindAllString(string(rules), -1)
	if len(used) == 0 {
		t.Fatal("alerts.yml names no auditship metric")
	}
	for _, n := range used {
		if _, ok := slices.BinarySearch(code, n); !ok {
			t.Errorf("alerts.yml uses %s, which no Go source registers", n)
		}
	}
}

// TestReadmeTableListsEveryMetric: the README's metrics table names every
// metric the code creates, and nothing else.
func TestReadmeTableListsEveryMetric(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Metrics and alerts\n")
	if !ok {
		t.Fatal(`README.md has no "## Metrics and alerts" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `auditship_") {
			listed = append(listed, metricName.FindString(line))
		}
	}
	slices.Sort(listed)
	code := codeMetrics(t)
	for _, n := range code {
		if _, ok := slices.BinarySearch(listed, n); !ok {
			t.Errorf("%s is registered but missing from the README's metrics table", n)
		}
	}
	for _, n := range listed {
		if _, ok := slices.BinarySearch(code, n); !ok {
			t.Errorf("the README's metrics table lists %s, which no Go source registers", n)
		}
	}
}
