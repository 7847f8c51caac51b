package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/outputs"
)

// cmdDDL prints the CREATE TABLE statements of the enabled outputs that
// need tables (mysql), or of the one --output names.
func cmdDDL(args []string) int {
	fs := newFlagSet("ddl")
	path := fs.String("c", "", "config file or directory")
	name := fs.String("output", "", "only the output of this name")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	cfg, ok := load(*path)
	if !ok {
		return exitUsage
	}
	if err := writeDDL(os.Stdout, cfg, *name); err != nil {
		fmt.Fprintf(os.Stderr, "auditship ddl: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// writeDDL writes the statements, each ending with ";" and a blank line.
func writeDDL(w io.Writer, cfg *config.Config, name string) error {
	stmts, err := ddlStatements(cfg, name)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := fmt.Fprintf(w, "%s;\n\n", s); err != nil {
			return err
		}
	}
	return nil
}

var errNoDDL = errors.New("no enabled output needs tables created (only mysql outputs have DDL)")

// ddlStatements collects, in config order, the DDL of every enabled output
// of every enabled pipeline (only those called name, unless name is ""),
// each statement once: pipelines that inherit one output share its tables.
func ddlStatements(cfg *config.Config, name string) ([]string, error) {
	var stmts []string
	seen, named := map[string]bool{}, []*config.Output{}
	for _, o := range enabledOutputs(cfg) {
		if name != "" && o.Name != name {
			continue
		}
		named = append(named, o)
		d, ok := o.Config.(outputs.DDLer)
		if !ok {
			continue
		}
		ss, err := d.DDL()
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		for _, s := range ss {
			s = strings.TrimRight(strings.TrimSpace(s), ";")
			if !seen[s] {
				seen[s] = true
				stmts = append(stmts, s)
			}
		}
	}
	if len(stmts) == 0 {
		return nil, noDDL(name, named)
	}
	return stmts, nil
}

// noDDL explains why there is nothing to print.
func noDDL(name string, named []*config.Output) error {
	switch {
	case name == "":
		return errNoDDL
	case len(named) == 0:
		return fmt.Errorf("no enabled output is named %q", name)
	}
	return fmt.Errorf("output %q (type %s) has no DDL: only mysql outputs need tables created", name, named[0].Type)
}

// enabledOutputs lists the enabled outputs of the enabled pipelines, after
// inheritance, in config order.
func enabledOutputs(cfg *config.Config) []*config.Output {
	var out []*config.Output
	for _, p := range cfg.Pipelines {
		if !p.Enabled {
			continue
		}
		for _, o := range p.Outputs {
			if o.Enabled {
				out = append(out, o)
			}
		}
	}
	return out
}
