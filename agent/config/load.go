package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Load reads a file, or a directory's *.hcl files in name order, and
// returns the config, or every problem found (then the config is nil).
func Load(path string, reg Registry) (*Config, Diagnostics) {
	files, err := listFiles(path)
	if err != nil {
		return nil, Diagnostics{{File: path, Msg: err.Error()}}
	}
	l := newLoader(reg, configDir(path))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			l.diags = append(l.diags, Diagnostic{File: f, Msg: unwrapPath(err).Error()})
			continue
		}
		l.parse(f, src)
	}
	return l.finish()
}

// LoadBytes loads one config held in memory (the embedded default); file()
// paths are relative to the working directory.
func LoadBytes(name string, src []byte, reg Registry) (*Config, Diagnostics) {
	l := newLoader(reg, ".")
	l.parse(name, src)
	return l.finish()
}

// listFiles expands a directory into its *.hcl files, sorted by name.
func listFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.hcl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.hcl files in directory")
	}
	sort.Strings(files)
	return files, nil
}

// configDir is the directory that file() and signing_key paths are
// relative to.
func configDir(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return path
	}
	return filepath.Dir(path)
}

// parse reads one file's top level; pipelines are built in finish, once
// every file's defaults are known.
func (l *loader) parse(name string, src []byte) {
	l.cfg.Files = append(l.cfg.Files, name)
	f, hd := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	l.diags = append(l.diags, fromHCL(hd, nil)...)
	if f == nil || hd.HasErrors() {
		return // a broken file's partial body would only add noise
	}
	content, hd := f.Body.Content(fileSchema)
	l.diags = append(l.diags, fromHCL(hd, schemaNames(fileSchema))...)
	l.topAttrs(content.Attributes)
	for _, b := range content.Blocks {
		switch b.Type {
		case "defaults":
			l.addDefaults(b)
		case "pipeline":
			l.addPipeline(b)
		}
	}
}

// topAttrs collects data_dir and friends; each may be set in one file only.
func (l *loader) topAttrs(m hcl.Attributes) {
	for name, a := range m {
		if prev, ok := l.top[name]; ok {
			l.diags = append(l.diags, at(a.NameRange, "%s is already set at %s", name, posOf(prev.NameRange)))
			continue
		}
		l.top[name] = a
	}
}
