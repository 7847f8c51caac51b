// Package auditship embeds the default configuration, config.hcl.example,
// which `auditship run` uses when no -c is given.
package auditship

import _ "embed"

// DefaultConfig is config.hcl.example.
//
//go:embed config.hcl.example
var DefaultConfig []byte

// DefaultConfigName names the embedded config in diagnostics.
const DefaultConfigName = "config.hcl.example"
