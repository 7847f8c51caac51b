package mysql

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// columnPair is one `column = "field.path"` item of a table's columns.
type columnPair struct{ name, path string }

// columnPairs reads a `columns = { column = "field.path" }` object in the
// order written. It reads the syntax, not the value: an object value would
// silently keep the last of two equal keys, and a duplicate column must be
// an error. Keys and paths must be literal strings.
func columnPairs(x hcl.Expression) ([]columnPair, error) {
	if x == nil {
		return nil, nil
	}
	obj, ok := x.(*hclsyntax.ObjectConsExpr)
	if !ok {
		v, diags := x.Value(nil)
		if !diags.HasErrors() && v.IsNull() {
			return nil, nil // absent
		}
		return nil, fmt.Errorf("must be an object { column = \"field.path\" }")
	}
	pairs := make([]columnPair, 0, len(obj.Items))
	for _, item := range obj.Items {
		name, err := literal(item.KeyExpr, true)
		if err != nil {
			return nil, fmt.Errorf("a column name %v", err)
		}
		path, err := literal(item.ValueExpr, false)
		if err != nil {
			return nil, fmt.Errorf("column %q: the field path %v", name, err)
		}
		pairs = append(pairs, columnPair{name, strings.TrimSpace(path)})
	}
	return pairs, nil
}

// literal is the text of a bare keyword (keys only) or a literal string.
func literal(x hcl.Expression, key bool) (string, error) {
	if kw := hcl.ExprAsKeyword(x); key && kw != "" {
		return kw, nil
	}
	v, diags := x.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", fmt.Errorf("must be a literal string")
	}
	return v.AsString(), nil
}
