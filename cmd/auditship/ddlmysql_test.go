package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/outputs/mysql"
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

// withMySQL is the build's registry with the mysql output, registered or not.
func withMySQL() config.Registry {
	reg := agent.Components()
	reg.Outputs["mysql"] = mysql.NewFactory()
	return reg
}

func TestDDLPrintsMySQLTables(t *testing.T) {
	cfg, diags := config.Load(writeConfig(t, mysqlConfig), withMySQL())
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
	for _, table := range []string{"auditship_events", "auditship_integration_events", "auditship_batches", "flows"} {
		if n := strings.Count(all.String(), "CREATE TABLE IF NOT EXISTS `"+table+"`"); n != 1 {
			t.Errorf("%d CREATE TABLE of %s, want 1:\n%s", n, table, all.String())
		}
	}
	if s := custom.String(); !strings.Contains(s, "`flows`") || strings.Contains(s, "auditship_events") ||
		!strings.HasSuffix(s, ";\n\n") {
		t.Errorf("ddl --output custom:\n%s\nwant flows and auditship_batches only, each ending with ;", s)
	}
}
