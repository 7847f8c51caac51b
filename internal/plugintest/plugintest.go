// Package plugintest holds the checks every plugin's tests share.
package plugintest

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/auditship/auditship/internal/component"
)

// DecodeExample checks that example is exactly one `KIND "TYPE" "NAME"`
// block whose body decodes into cfg (a factory's NewConfig()) and passes
// its Validate. The agent's meta-test also loads every example through the
// real config loader; this one points at the plugin that broke.
func DecodeExample(t testing.TB, example, kind, typ string, cfg any) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(example), "example.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	schema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: kind, LabelNames: []string{"type", "name"}}}}
	content, diags := f.Body.Content(schema)
	if diags.HasErrors() || len(content.Blocks) != 1 || content.Blocks[0].Labels[0] != typ {
		t.Fatalf("example is not one %s %q block: %v", kind, typ, diags)
	}
	if diags := gohcl.DecodeBody(content.Blocks[0].Body, nil, cfg); diags.HasErrors() {
		t.Fatal(diags)
	}
	if v, ok := cfg.(component.Validator); ok {
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}
