package index

import (
	"strconv"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// term is one constraint of a query that an index record can answer: an
// event it matches has field equal to one of values (canonical text).
type term struct {
	field  string
	values []string
}

// plan extracts the terms of src's top-level conjunction (`&&`, `and`)
// that are `field == lit`, `lit == field` or `field in [lit, ...]`, with
// string or integer literals and a top-level field: what the index can
// rule a batch out on. Anything else is not used for skipping; an empty
// string literal neither (expr's `in` takes a missing field for "").
func plan(src string) []term {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var out []term
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return
		}
		switch b.Operator {
		case "&&", "and":
			walk(b.Left)
			walk(b.Right)
		case "==":
			if t, ok := equality(b.Left, b.Right); ok {
				out = append(out, t)
			} else if t, ok := equality(b.Right, b.Left); ok {
				out = append(out, t)
			}
		case "in":
			if t, ok := membership(b.Left, b.Right); ok {
				out = append(out, t)
			}
		}
	}
	walk(tree.Node)
	return out
}

func equality(f, lit ast.Node) (term, bool) {
	name, ok := fieldName(f)
	if !ok {
		return term{}, false
	}
	v, ok := literal(lit)
	if !ok {
		return term{}, false
	}
	return term{field: name, values: []string{v}}, true
}

func membership(f, list ast.Node) (term, bool) {
	name, ok := fieldName(f)
	arr, isArr := list.(*ast.ArrayNode)
	if !ok || !isArr || len(arr.Nodes) == 0 {
		return term{}, false
	}
	t := term{field: name}
	for _, n := range arr.Nodes {
		v, ok := literal(n)
		if !ok {
			return term{}, false
		}
		t.values = append(t.values, v)
	}
	return t, true
}

func fieldName(n ast.Node) (string, bool) {
	id, ok := n.(*ast.IdentifierNode)
	if !ok || id.Value == "" || id.Value[0] == '$' {
		return "", false
	}
	return id.Value, true
}

// literal is a string or integer constant's canonical text (see
// canonical); "" is not one the index can use.
func literal(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, x.Value != ""
	case *ast.IntegerNode:
		return strconv.Itoa(x.Value), true
	case *ast.UnaryNode:
		if i, ok := x.Node.(*ast.IntegerNode); ok && x.Operator == "-" {
			return strconv.Itoa(-i.Value), true
		}
	}
	return "", false
}
