package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/auditship/auditship/internal/units"
)

// attrs reads the attributes the loader decodes itself. Each getter returns
// the default when the attribute is absent or bad; a bad value is reported
// at the value's position. prefix names a nested block in messages.
type attrs struct {
	m      hcl.Attributes
	ctx    *hcl.EvalContext
	diags  *Diagnostics
	prefix string
}

func (a attrs) has(name string) bool { _, ok := a.m[name]; return ok }

// rng is the value range of name (the attribute must exist).
func (a attrs) rng(name string) hcl.Range { return a.m[name].Expr.Range() }

func (a attrs) errorf(name, format string, args ...any) {
	*a.diags = append(*a.diags, at(a.rng(name), "%s%s: "+format, append([]any{a.prefix, name}, args...)...))
}

// decode evaluates name into dst (a Go pointer); false when absent or bad.
func (a attrs) decode(name string, ty cty.Type, dst any) bool {
	attr, ok := a.m[name]
	if !ok {
		return false
	}
	v, hd := attr.Expr.Value(a.ctx)
	if hd.HasErrors() {
		*a.diags = append(*a.diags, fromHCL(hd, nil)...)
		return false
	}
	if v.IsNull() {
		return false
	}
	if v, err := convert.Convert(v, ty); err != nil || gocty.FromCtyValue(v, dst) != nil {
		a.errorf(name, "%s required", ty.FriendlyName())
		return false
	}
	return true
}

func (a attrs) str(name, def string) string {
	s := def
	a.decode(name, cty.String, &s)
	return s
}

func (a attrs) boolean(name string, def bool) bool {
	b := def
	a.decode(name, cty.Bool, &b)
	return b
}

func (a attrs) strs(name string) []string {
	var s []string
	a.decode(name, cty.List(cty.String), &s)
	return s
}

// count reads a whole number of at least lo.
func (a attrs) count(name string, def, lo int) int {
	n := def
	if a.decode(name, cty.Number, &n) && n < lo {
		a.errorf(name, "must be at least %d", lo)
		return def
	}
	return n
}

func (a attrs) oneOf(name, def string, allowed ...string) string {
	s := a.str(name, def)
	if !slices.Contains(allowed, s) {
		a.errorf(name, "must be one of %s, not %q", strings.Join(allowed, ", "), s)
		return def
	}
	return s
}

func (a attrs) duration(name string, def time.Duration) time.Duration {
	var s string
	if !a.decode(name, cty.String, &s) {
		return def
	}
	d, err := units.Duration(s)
	if err != nil {
		a.errorf(name, "%v", err)
		return def
	}
	return d
}

// size reads a byte size between lo and hi (0: no upper bound).
func (a attrs) size(name string, def, lo, hi int64) int64 {
	var s string
	if !a.decode(name, cty.String, &s) {
		return def
	}
	n, err := units.Size(s)
	if err != nil {
		a.errorf(name, "%v", err)
		return def
	}
	if n < lo {
		a.errorf(name, "%s is below the minimum of %s", s, sizeText(lo))
		return def
	}
	if hi > 0 && n > hi {
		a.errorf(name, "%s is over the maximum of %s", s, sizeText(hi))
		return def
	}
	return n
}

func (a attrs) regex(name string) *regexp.Regexp {
	var s string
	if !a.decode(name, cty.String, &s) {
		return nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		a.errorf(name, "invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return nil
	}
	return re
}

// sizeText renders n in the largest binary unit that divides it.
func sizeText(n int64) string {
	switch {
	case n == 0:
		return "0B"
	case n%gib == 0:
		return strconv.FormatInt(n/gib, 10) + "GiB"
	case n%mib == 0:
		return strconv.FormatInt(n/mib, 10) + "MiB"
	case n%kib == 0:
		return strconv.FormatInt(n/kib, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}
