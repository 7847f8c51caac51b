package config

import "github.com/hashicorp/hcl/v2"

var typeAndName = []string{"type", "name"}

// fileSchema is the top level of a config file.
var fileSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "data_dir"}, {Name: "shutdown_timeout"}, {Name: "metrics_addr"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "defaults"},
		{Type: "pipeline", LabelNames: []string{"name"}},
	},
}

var defaultsSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "output", LabelNames: typeAndName},
		{Type: "processor", LabelNames: typeAndName},
		{Type: "buffer"},
	},
}

var pipelineSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "enabled"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "input", LabelNames: typeAndName},
		{Type: "processor", LabelNames: typeAndName},
		{Type: "output", LabelNames: typeAndName},
		{Type: "buffer"},
	},
}

var bufferSchema = attrSchema("max_size", "when_full", "fsync", "max_partitions", "max_record_bytes")

// The attributes and blocks every plugin of a kind accepts; the rest of a
// block goes to the plugin's own config.
var (
	inputSchema = withBlocks(attrSchema("enabled", "format", "timezone", "strip_prefix", "id_fields",
		"include_raw", "max_line_bytes"), "multiline")
	multilineSchema = attrSchema("start_pattern", "flush_timeout", "max_lines", "max_bytes")
	processorSchema = attrSchema("enabled")
	outputSchema    = withBlocks(attrSchema("enabled", "when", "permanent_retry_interval",
		"digest_interval", "signing_key", "checkpoint_copy", "index_fields"), "batch", "retry")
	batchSchema = attrSchema("max_events", "max_bytes", "interval")
	retrySchema = attrSchema("initial_interval", "max_interval")
)

func attrSchema(names ...string) *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range names {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}

func withBlocks(s *hcl.BodySchema, types ...string) *hcl.BodySchema {
	for _, t := range types {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: t})
	}
	return s
}

// schemaNames lists a schema's attribute and block names, for suggestions.
func schemaNames(ss ...*hcl.BodySchema) []string {
	var names []string
	for _, s := range ss {
		for _, a := range s.Attributes {
			names = append(names, a.Name)
		}
		for _, b := range s.Blocks {
			names = append(names, b.Type)
		}
	}
	return names
}
