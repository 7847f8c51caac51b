package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostic is one configuration problem with its position.
type Diagnostic struct {
	File      string
	Line, Col int // 0 when the problem concerns the file as a whole
	Msg       string
}

// String formats d as FILE:LINE:COL: message.
func (d Diagnostic) String() string {
	if d.Line == 0 {
		return d.File + ": " + d.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
}

// Diagnostics is every problem found, sorted by position.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// sorted orders ds by file, line and column and drops exact repeats (a
// defaults block is decoded once per pipeline that inherits it).
func (ds Diagnostics) sorted() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg))
	})
	return slices.Compact(ds)
}

// at builds a diagnostic at the start of r.
func at(r hcl.Range, format string, args ...any) Diagnostic {
	return Diagnostic{File: r.Filename, Line: r.Start.Line, Col: r.Start.Column, Msg: fmt.Sprintf(format, args...)}
}

// posOf renders r's start for "first defined at" notes.
func posOf(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
