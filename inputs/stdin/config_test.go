package stdin

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
)

func TestExample(t *testing.T) {
	f, diags := hclparse.NewParser().ParseHCL([]byte(Example), "example.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "input", LabelNames: []string{"type", "name"}}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg := NewFactory().NewConfig().(*Config)
	if diags := gohcl.DecodeBody(content.Blocks[0].Body, nil, cfg); diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if content.Blocks[0].Labels[0] != NewFactory().Type() {
		t.Errorf("example block type %q", content.Blocks[0].Labels[0])
	}
}
