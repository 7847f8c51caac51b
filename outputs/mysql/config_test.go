package mysql

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

// decode decodes an output block body into a fresh config.
func decode(t *testing.T, body string) (*Config, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(body), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := newConfig()
	return c, gohcl.DecodeBody(f.Body, nil, c)
}

func attrsOf(err error) []string {
	var got []string
	for _, ae := range component.AttrErrors(err) {
		got = append(got, ae.Attr)
	}
	return got
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, body string
		wantAttrs  []string
	}{
		{"minimal", `database = "audit"`, nil},
		{"no database", `database = ""`, []string{"database"}},
		{"bad database", `database = "a-b"`, []string{"database"}},
		{"bad port", "database = \"a\"\nport = 0", []string{"port"}},
		{"bad host", "database = \"a\"\nhost = \"u@h\"", []string{"host"}},
		{"bad timeout", "database = \"a\"\nconnect_timeout = \"soon\"", []string{"connect_timeout"}},
		{"pool", "database = \"a\"\nmax_open_conns = 0\nmax_idle_conns = -1", []string{"max_open_conns", "max_idle_conns"}},
		{"tls true", "database = \"a\"\ntls = \"true\"", nil},
		{"tls skip-verify", "database = \"a\"\ntls = \"skip-verify\"", nil},
		{"tls bool", "database = \"a\"\ntls = true", nil},
		{"tls bad", "database = \"a\"\ntls = \"yes\"", []string{"tls"}},
		{"tls files", "database = \"a\"\ntls = { ca_file = \"config_test.go\" }", nil},
		{"tls unknown key", "database = \"a\"\ntls = { ca = \"x\" }", []string{"tls"}},
		{"tls cert without key", "database = \"a\"\ntls = { cert_file = \"config_test.go\" }", []string{"tls"}},
		{"tls missing file", "database = \"a\"\ntls = { ca_file = \"/nonexistent/ca.pem\" }", []string{"tls"}},
		{"tables", "database = \"a\"\n" + `table "a" {
  when = "category == 'messaging'"
  columns = { flow = "workflowDefinitionId", "x$1" = "variables.amount" }
}
table "b" {}`, nil},
		{"bad when", "database = \"a\"\ntable \"a\" { when = \"category ==\" }", []string{"table[0].when"}},
		{"bad column name", "database = \"a\"\ntable \"a\" { columns = { \"bad-name\" = \"x\" } }", []string{"table[0].columns"}},
		{"fixed column", "database = \"a\"\ntable \"a\" { columns = { entry = \"x\" } }", []string{"table[0].columns"}},
		{"duplicate column", "database = \"a\"\ntable \"a\" { columns = { flow = \"x\", flow = \"y\" } }", []string{"table[0].columns"}},
		{"duplicate column, other case", "database = \"a\"\ntable \"a\" { columns = { Flow = \"x\", flow = \"y\" } }", []string{"table[0].columns"}},
		{"columns not an object", "database = \"a\"\ntable \"a\" { columns = [\"x\"] }", []string{"table[0].columns"}},
		{"path not literal", "database = \"a\"\ntable \"a\" { columns = { x = \"${1 + 1}\" } }", []string{"table[0].columns"}},
		{"empty path", "database = \"a\"\ntable \"a\" { columns = { flow = \"\" } }", []string{"table[0].columns"}},
		{"bad table name", "database = \"a\"\ntable \"a.b\" {}", []string{"table[0]"}},
		{"duplicate table", "database = \"a\"\ntable \"a\" { when = \"true\" }\ntable \"A\" {}", []string{"table[1]"}},
		{"bad when in a later table", "database = \"a\"\ntable \"a\" { when = \"true\" }\ntable \"b\" { when = \"category ==\" }", []string{"table[1].when"}},
		{"own table", "database = \"a\"\ntable \"auditship_batches\" {}", []string{"table[0]"}},
		{"unreachable table", "database = \"a\"\ntable \"a\" {}\ntable \"b\" {}", []string{"table[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, diags := decode(t, tt.body)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.wantAttrs, attrsOf(c.Validate())); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownAttributeInTable checks gohcl refuses what a table block
// does not know (the loader adds the position and a suggestion).
func TestUnknownAttributeInTable(t *testing.T) {
	_, diags := decode(t, "database = \"a\"\ntable \"a\" { colums = {} }")
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "colums") {
		t.Errorf("diags = %v", diags)
	}
}

func TestValidateHidesPassword(t *testing.T) {
	c := newConfig()
	c.Database, c.Password, c.Port, c.Host, c.User = "", "s3cr3t-value", 0, "", strings.Repeat("u", 81)
	c.TLS = cty.StringVal("maybe")
	c.Tables = []Table{{Name: "a", When: "x ==", Columns: columnsExpr(`{ "bad-name" = "" }`)}}
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad config")
	}
	if strings.Contains(err.Error(), "s3cr3t-value") {
		t.Errorf("Validate quotes the password: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	c := NewFactory().NewConfig().(*Config)
	if c.Host != "127.0.0.1" || c.Port != 3306 || c.MaxOpenConns != 4 || c.CreateTables ||
		c.ConnectTimeout != "10s" || c.WriteTimeout != "60s" || c.ReadTimeout != "60s" || !c.TLS.IsNull() {
		t.Errorf("defaults: %+v", c)
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "output", "mysql", NewFactory().NewConfig())
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	want := outputs.BatchConfig{MaxEvents: 1000, MaxBytes: 4 << 20, Interval: time.Second}
	if f.Type() != "mysql" || f.BatchDefaults() != want {
		t.Errorf("Type %q, BatchDefaults %+v", f.Type(), f.BatchDefaults())
	}
	if _, err := f.Create(outputs.Settings{}, struct{}{}); err == nil {
		t.Error("Create accepted a foreign config")
	}
}

// TestCreateContactsNothing: construction never touches the network, so
// a server that is down does not stop the agent.
func TestCreateContactsNothing(t *testing.T) {
	c := newConfig()
	c.Database, c.Host, c.Port, c.CreateTables = "audit", "127.0.0.1", 1, true
	o, err := NewFactory().Create(outputs.Settings{Pipeline: "p", Name: "db"}, c)
	if err != nil {
		t.Fatal(err)
	}
	o.Close(t.Context())
}
