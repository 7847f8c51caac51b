package config

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/auditship/auditship/outputs"
)

// seenIn tracks what must be unique within the pipeline being decoded.
type seenIn struct {
	paths map[string]hcl.Range // file input path patterns
	keys  map[string]string    // output key spaces → the output that has it
}

func newSeenIn() *seenIn {
	return &seenIn{paths: map[string]hcl.Range{}, keys: map[string]string{}}
}

// checkInput enforces one stdin per config and each file pattern once per
// pipeline; disabled inputs and pipelines read nothing and are exempt.
func (l *loader) checkInput(p *Pipeline, e *entry, in *Input) {
	if !in.Enabled || !p.Enabled {
		return
	}
	switch in.Type {
	case "stdin":
		if l.stdin != nil {
			l.diags = append(l.diags, at(e.block.LabelRanges[0], "only one stdin input is allowed per config (first at %s)", posOf(*l.stdin)))
			return
		}
		l.stdin = e.block.LabelRanges[0].Ptr()
	case "file":
		l.checkPaths(e, stringsField(in.Config, "paths"))
	}
}

func (l *loader) checkPaths(e *entry, paths []string) {
	for _, path := range paths {
		if prev, ok := l.cur.paths[path]; ok {
			l.diags = append(l.diags, at(attrRange(e, "paths"), "path %q is already read by this pipeline (at %s)", path, posOf(prev)))
			continue
		}
		l.cur.paths[path] = attrRange(e, "paths")
	}
}

var outputSpecial = regexp.MustCompile(`\{\{\s*output\s*\}\}`)

// checkKeySpace rejects a second enabled output of the pipeline that
// writes the same names to the same place.
func (l *loader) checkKeySpace(e *entry, o *Output) {
	ks, ok := o.Config.(outputs.KeySpacer)
	if !ok || !o.Enabled {
		return
	}
	dest, tmpl := ks.KeySpace()
	if outputSpecial.MatchString(tmpl) {
		return
	}
	key := dest + "\x00" + tmpl
	if prev, ok := l.cur.keys[key]; ok {
		l.diags = append(l.diags, at(e.block.LabelRanges[1], "output %q can overwrite the keys of output %q (same destination and name template; put {{ output }} in the template)", o.Name, prev))
		return
	}
	l.cur.keys[key] = o.Name
}

// stringsField returns the []string field of cfg tagged hcl:"name".
func stringsField(cfg any, name string) []string {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("hcl"), ",")
		if tag == name {
			s, _ := v.Field(i).Interface().([]string)
			return s
		}
	}
	return nil
}
