package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const goodDefaults = `data_dir = "/tmp/auditship-e2e-never-used"

defaults {
  output "file" "archive" {
    path = "/tmp/auditship-e2e-archive"
  }
}
`

// Enabled after inheritance: a (x; archive, s), b (y, z; s): pipeline c
// is off and b turns the inherited archive off.
const goodPipelines = `pipeline "a" {
  input "file" "x" {
    paths  = ["/tmp/x.log"]
    format = "json"
  }
  output "stdout" "s" { format = "json" }
}

pipeline "b" {
  input "file" "y" {
    paths  = ["/tmp/y.log"]
    format = "plain"
  }
  input "file" "z" {
    paths  = ["/tmp/z.log"]
    format = "auto"
  }
  output "file" "archive" { enabled = false }
  output "stdout" "s" { format = "json" }
}

pipeline "c" {
  enabled = false
  input "file" "w" {
    paths  = ["/tmp/w.log"]
    format = "json"
  }
  output "stdout" "s" { format = "json" }
}
`

func TestValidateOK(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "10-defaults.hcl"), []byte(goodDefaults), 0o644)
	os.WriteFile(filepath.Join(dir, "20-pipelines.hcl"), []byte(goodPipelines), 0o644)
	for name, path := range map[string]string{
		"file": writeFile(t, "one.hcl", goodDefaults+goodPipelines),
		"dir":  dir,
	} {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runOnce(t, "validate", "-c", path)
			want := "config OK: 2 pipelines, 3 inputs, 3 outputs\n"
			if code != 0 || stdout != want {
				t.Errorf("validate = %d, %q (stderr %q); want 0, %q", code, stdout, stderr, want)
			}
		})
	}
}

// badConfig has a problem on lines 1, 5, 8 and 13.
const badConfig = `shutdown_timeout = "5 parsecs"

pipeline "p" {
  input "file" "x" {
    pathz  = ["/tmp/x.log"]
    format = "json"
  }
  output "filez" "o" {
    path = "/tmp/o"
  }
  output "stdout" "s" {
    format = "json"
    batch { interval = "soon" }
  }
}
`

// TestConfigErrors: validate and run both report every problem in one
// run as FILE:LINE:COL: message and exit 2.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "bad.hcl", badConfig)
	for _, cmd := range []string{"validate", "run"} {
		t.Run(cmd, func(t *testing.T) {
			args := []string{cmd, "-c", path}
			if cmd == "run" {
				args = append(args, "--data-dir", t.TempDir())
			}
			stdout, stderr, code := runOnce(t, args...)
			if code != 2 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, stdout)
			}
			checkDiagnostics(t, path, stderr)
		})
	}
}

var diagLine = regexp.MustCompile(`^(.+):(\d+):(\d+): (\S.*)$`)

// checkDiagnostics wants a FILE:LINE:COL line for each broken line, with
// a suggestion for the misspelt attribute and block type.
func checkDiagnostics(t *testing.T, path, stderr string) {
	t.Helper()
	byLine := map[int]string{}
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		m := diagLine.FindStringSubmatch(l)
		if m == nil || m[1] != path {
			t.Errorf("not a %s:LINE:COL: message line: %q", path, l)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		byLine[n] += m[4] + "\n"
	}
	want := map[int]string{1: "", 5: `"paths"`, 8: `"file"`, 13: ""}
	for line, hint := range want {
		msg, ok := byLine[line]
		if !ok {
			t.Errorf("no diagnostic for line %d in:\n%s", line, stderr)
		} else if !strings.Contains(msg, hint) {
			t.Errorf("line %d: %q lacks the suggestion %s", line, msg, hint)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, code := runOnce(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "auditship ") {
		t.Errorf("version = %d, %q; want 0, \"auditship ...\"", code, stdout)
	}
}
