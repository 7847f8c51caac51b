package config

import (
	"time"
	_ "time/tzdata" // IANA names also where the host has no zoneinfo (containers)

	"github.com/hashicorp/hcl/v2"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
)

// inputs decodes a pipeline's input blocks (inputs are not inherited).
func (l *loader) inputs(p *Pipeline, own []*hcl.Block) []*Input {
	var out []*Input
	for _, e := range l.inherit("input", nil, own, l.singleFor("input")) {
		pl, ok := l.decodePlugin("input", e, inputSchema)
		if !ok {
			continue
		}
		in := l.input(e, pl)
		in.Enabled = pl.enabled
		l.checkInput(p, e, in)
		out = append(out, in)
	}
	return out
}

// input reads the attributes every input accepts.
func (l *loader) input(e *entry, pl plugin) *Input {
	a, m := pl.common, l.nested(pl.blocks, "multiline", multilineSchema)
	in := &Input{Type: e.typ, Name: e.name, Factory: l.reg.Inputs[e.typ], Config: pl.cfg}
	in.Decode = format.Options{
		Format:      a.oneOf("format", "auto", "json", "plain", "auto"),
		Location:    l.location(a),
		StripPrefix: a.regex("strip_prefix"),
		IDFields:    a.strs("id_fields"),
		IncludeRaw:  a.boolean("include_raw", false),
		Input:       e.name,
	}
	in.Framing = record.Config{
		Format:       in.Decode.Format,
		StartPattern: m.regex("start_pattern"),
		StripPrefix:  in.Decode.StripPrefix,
		MaxLineBytes: int(a.size("max_line_bytes", mib, 1, gib)),
		MaxLines:     m.count("max_lines", 1000, 1),
		MaxBytes:     int(m.size("max_bytes", mib, 1, gib)),
	}
	in.FlushTimeout = m.duration("flush_timeout", time.Second)
	return in
}

// location reads timezone, an IANA name.
func (l *loader) location(a attrs) *time.Location {
	name := a.str("timezone", "UTC")
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		a.errorf("timezone", "unknown time zone %q (use an IANA name such as \"Europe/Berlin\")", name)
		return time.UTC
	}
	return loc
}
