package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/auditship/auditship"
	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

// load reads the config at path, or the embedded default when path is
// empty, printing every problem as FILE:LINE:COL: message.
func load(path string) (*config.Config, bool) {
	var (
		cfg   *config.Config
		diags config.Diagnostics
	)
	if path == "" {
		cfg, diags = config.LoadBytes(auditship.DefaultConfigName, auditship.DefaultConfig, agent.Components())
	} else {
		cfg, diags = config.Load(path, agent.Components())
	}
	for _, d := range diags {
		fmt.Fprintln(os.Stderr, d.String())
	}
	return cfg, len(diags) == 0
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, printing a usage error.
func parseFlags(fs *flag.FlagSet, args []string) bool {
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "auditship %s: %v\n%s", fs.Name(), err, usage)
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "auditship %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}
