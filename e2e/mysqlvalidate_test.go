package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// badMySQLConfig has a problem in a table block on lines 10 (an unknown
// attribute: HCL stops decoding output "a" there), 20 (a duplicate column,
// by case), 23 (a when that does not compile) and 26 (a column named
// twice): each in a table block after the first, so each message must
// carry its own block's position.
const badMySQLConfig = `pipeline "p" {
  input "stdin" "in" {}
  output "mysql" "a" {
    database = "audit"
    password = "not-a-real-password"
    table "workflows" {
      when = "category == 'workflow'"
    }
    table "rest" {
      colums = { flow = "workflowDefinitionId" }
    }
  }
  output "mysql" "b" {
    database = "audit"
    table "workflows" {
      when = "category == 'workflow'"
    }
    table "nodes" {
      when    = "category == 'workflow_node'"
      columns = { node = "nodeName", NODE = "nodeDefinitionId" }
    }
    table "timers" {
      when = "category =="
    }
    table "flows" {
      columns = { flow = "workflowDefinitionId", flow = "workflowRootDefinitionId" }
    }
  }
}
`

// TestMySQLValidate: an unknown attribute in a table block, a duplicate
// column (by case, or the same key twice) and a when that does not compile
// are each reported as FILE:LINE:COL: message, all in one run, exit 2,
// without the password.
func TestMySQLValidate(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "mysql.hcl", badMySQLConfig)
	stdout, stderr, code := runOnce(t, "validate", "-c", path)
	if code != 2 || stdout != "" {
		t.Errorf("validate: exit %d, stdout %q; want 2 and nothing on stdout", code, stdout)
	}
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
	for line, want := range map[int]string{10: "colums", 20: "NODE", 23: "timers", 26: `"flow"`} {
		if msg, ok := byLine[line]; !ok || !strings.Contains(msg, want) {
			t.Errorf("line %d: no diagnostic mentioning %q in:\n%s", line, want, stderr)
		}
	}
	if strings.Contains(stderr, "not-a-real-password") {
		t.Error("validate printed the password")
	}
}
