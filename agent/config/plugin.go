package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/auditship/auditship/internal/component"
)

// plugin is a decoded plugin block.
type plugin struct {
	common  attrs        // the loader's common attributes
	blocks  []*hcl.Block // the common nested blocks (batch, multiline, retry)
	cfg     any          // the factory's config, decoded
	enabled bool
}

// decodePlugin splits e into the attributes common to its kind, which the
// loader reads, and the rest, which it decodes into the factory's config
// and validates. A disabled block is only checked for unknown attributes
// and types. ok is false for an unknown type.
func (l *loader) decodePlugin(kind string, e *entry, common *hcl.BodySchema) (p plugin, ok bool) {
	p.cfg = l.newConfig(kind, e.typ)
	if p.cfg == nil {
		return p, false
	}
	own, rest := split(e.body, common)
	content, hd := own.Content(common)
	l.addDiags(hd, nil)
	p.common, p.blocks = l.attrs(content.Attributes, ""), content.Blocks
	p.enabled = p.common.boolean("enabled", true)
	hd = gohcl.DecodeBody(rest, l.ctx, p.cfg)
	l.pluginDiags(e, rest, hd, slices.Concat(schemaNames(common), pluginNames(p.cfg)), !p.enabled)
	if !hd.HasErrors() && p.enabled {
		l.validate(e, p.cfg)
	}
	return p, true
}

// pluginDiags rewords gohcl's diagnostics: suggestions from every name the
// block accepts, a missing attribute reported at the block's label, a
// wrong type named after its attribute.
func (l *loader) pluginDiags(e *entry, rest *hclsyntax.Body, hd hcl.Diagnostics, names []string, disabled bool) {
	for _, d := range dropConsequences(hd) {
		switch {
		case d.Summary == "Missing required argument" && disabled:
			continue
		case d.Summary == "Missing required argument" && d.Subject.Start == rest.SrcRange.Start:
			d.Subject = e.block.LabelRanges[0].Ptr()
		case d.Summary == "Unsuitable value type":
			if name := attrAt(rest, d.Subject); name != "" {
				l.diags = append(l.diags, at(*d.Subject, "%s: %s", name, strings.TrimPrefix(trimDot(d.Detail), "Unsuitable value: ")))
				continue
			}
		}
		if isTopLevelName(rest, d) {
			l.addDiags(hcl.Diagnostics{d}, names)
		} else {
			l.addDiags(hcl.Diagnostics{d}, nil)
		}
	}
}

// attrAt names the attribute of body whose value holds r.
func attrAt(body *hclsyntax.Body, r *hcl.Range) string {
	for name, a := range body.Attributes {
		if r != nil && a.Expr.Range().ContainsPos(r.Start) {
			return name
		}
	}
	return ""
}

// isTopLevelName reports whether d is about an attribute or block written
// directly in body (not in a nested block).
func isTopLevelName(body *hclsyntax.Body, d *hcl.Diagnostic) bool {
	if d.Subject == nil {
		return false
	}
	for _, a := range body.Attributes {
		if a.NameRange == *d.Subject {
			return true
		}
	}
	for _, b := range body.Blocks {
		if b.TypeRange == *d.Subject {
			return true
		}
	}
	return false
}

// validate runs the config's own checks, each at its attribute's value.
func (l *loader) validate(e *entry, cfg any) {
	v, ok := cfg.(component.Validator)
	if !ok {
		return
	}
	for _, ae := range component.AttrErrors(v.Validate()) {
		l.diags = append(l.diags, at(attrRange(e, ae.Attr), "%s", ae.Error()))
	}
}

// attrRange finds the value of a dotted attribute path in e's body; else
// the block's type label.
func attrRange(e *entry, path string) hcl.Range {
	body, parts := e.body, strings.Split(path, ".")
	for i, p := range parts {
		if a, ok := body.Attributes[p]; ok && i == len(parts)-1 {
			return a.Expr.Range()
		}
		b := nthBlock(body, p)
		if b == nil {
			break
		}
		if i == len(parts)-1 {
			return b.TypeRange
		}
		body = b.Body
	}
	return e.block.LabelRanges[0]
}

// nthBlock finds the block a path part names: "table" is the first
// block of that type, "table[2]" the third (repeated blocks).
func nthBlock(body *hclsyntax.Body, part string) *hclsyntax.Block {
	typ, n := part, 0
	if i := strings.IndexByte(part, '['); i > 0 && strings.HasSuffix(part, "]") {
		k, err := strconv.Atoi(part[i+1 : len(part)-1])
		if err != nil || k < 0 {
			return nil
		}
		typ, n = part[:i], k
	}
	for _, b := range body.Blocks {
		if b.Type == typ {
			if n == 0 {
				return b
			}
			n--
		}
	}
	return nil
}

// split separates the attributes and blocks named in common from the rest.
func split(body *hclsyntax.Body, common *hcl.BodySchema) (own, rest *hclsyntax.Body) {
	own = &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: body.SrcRange, EndRange: body.EndRange}
	rest = &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: body.SrcRange, EndRange: body.EndRange}
	names := schemaNames(common)
	for n, a := range body.Attributes {
		pick(own, rest, slices.Contains(names, n)).Attributes[n] = a
	}
	for _, b := range body.Blocks {
		dst := pick(own, rest, slices.Contains(names, b.Type))
		dst.Blocks = append(dst.Blocks, b)
	}
	return own, rest
}

func pick(a, b *hclsyntax.Body, first bool) *hclsyntax.Body {
	if first {
		return a
	}
	return b
}

// pluginNames lists the attributes and blocks a plugin config accepts.
func pluginNames(cfg any) []string {
	s, _ := gohcl.ImpliedBodySchema(cfg)
	return schemaNames(s)
}
