package config

import (
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var (
	quotedName = regexp.MustCompile(`(?:named|type|argument) "([^"]*)"`)
	callFailed = regexp.MustCompile(`^Call to function "([^"]*)" failed: `)
)

// fromHCL rewords hcl's diagnostics into ours. names, when given, are the
// valid attribute and block names of the body, for did-you-mean.
func fromHCL(hds hcl.Diagnostics, names []string) Diagnostics {
	var out Diagnostics
	for _, d := range dropConsequences(hds) {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := hcl.Range{Filename: "?"}
		if d.Subject != nil {
			r = *d.Subject
		}
		out = append(out, at(r, "%s", reword(d, names)))
	}
	return out
}

// reword turns hcl's summary and detail into one short message.
func reword(d *hcl.Diagnostic, names []string) string {
	name := ""
	if m := quotedName.FindStringSubmatch(d.Detail); m != nil {
		name = m[1]
	}
	switch d.Summary {
	case "Unsupported argument":
		return unknownMsg("attribute", name, names, d.Detail)
	case "Unsupported block type":
		return unknownMsg("block", name, names, d.Detail)
	case "Missing required argument":
		return "missing required attribute " + quote(name)
	case "Unsuitable value type":
		return "wrong type: " + trimDot(strings.TrimPrefix(d.Detail, "Unsuitable value: "))
	case "Error in function call":
		if m := callFailed.FindStringSubmatch(d.Detail); m != nil {
			return m[1] + "(): " + trimDot(d.Detail[len(m[0]):])
		}
	}
	if d.Detail == "" {
		return trimDot(d.Summary)
	}
	return lowerFirst(d.Summary) + ": " + trimDot(d.Detail)
}

// unknownMsg builds "unknown attribute "x"; did you mean "y"?".
func unknownMsg(what, name string, names []string, detail string) string {
	msg := "unknown " + what + " " + quote(name)
	if s := suggest(name, names); s != "" {
		return msg + "; did you mean " + quote(s) + "?"
	}
	if i := strings.Index(detail, "Did you mean "); i >= 0 && names == nil {
		return msg + "; did you mean " + trimDot(strings.TrimSuffix(detail[i+len("Did you mean "):], "?")) + "?"
	}
	return msg
}

// dropConsequences removes "Unsuitable value type" errors that only echo an
// error already reported inside the same expression (a failed env() call
// leaves an unknown value behind).
func dropConsequences(hds hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range hds {
		if d.Summary == "Unsuitable value type" && d.Context != nil && coversOther(hds, d) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func coversOther(hds hcl.Diagnostics, d *hcl.Diagnostic) bool {
	for _, o := range hds {
		if o != d && o.Subject != nil && o.Summary != d.Summary && d.Context.ContainsPos(o.Subject.Start) {
			return true
		}
	}
	return false
}

func quote(s string) string { return `"` + s + `"` }

func trimDot(s string) string { return strings.TrimSuffix(strings.TrimSpace(s), ".") }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
