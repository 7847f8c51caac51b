package expr

import "github.com/expr-lang/expr/ast"

// eqFn tests a field against a string constant: `f == 'x'` and `f != 'x'`
// with a field f compile to it, so that the field's text is compared in
// place instead of being built as a string for each event. Its result is
// what == gives: true only for a string equal to the constant.
//
// `in` is left to expr: it turns a constant array into a set whose lookup
// treats nil as "" and fails on other types, which this would not copy.
const eqFn = "@eq"

// compare rewrites a comparison of a field with a string constant.
func compare(n *ast.Node, x *ast.BinaryNode) {
	if x.Operator != "==" && x.Operator != "!=" {
		return
	}
	path, s, ok := fieldAndString(x.Left, x.Right)
	if !ok {
		path, s, ok = fieldAndString(x.Right, x.Left)
	}
	if !ok {
		return
	}
	var call ast.Node = &ast.CallNode{
		Callee: &ast.IdentifierNode{Value: eqFn},
		Arguments: []ast.Node{
			&ast.IdentifierNode{Value: "$env"}, &ast.StringNode{Value: path}, &ast.StringNode{Value: s},
		},
	}
	if x.Operator == "!=" {
		call = &ast.UnaryNode{Operator: "not", Node: call}
	}
	ast.Patch(n, call)
}

func fieldAndString(f, s ast.Node) (string, string, bool) {
	path, ok := loadPath(f)
	str, ok2 := s.(*ast.StringNode)
	if !ok || !ok2 {
		return "", "", false
	}
	return path, str.Value, true
}

// eq is eqFn's body.
func eq(params ...any) (any, error) {
	return params[0].(env).e.StringIn(params[1].(string), params[2].(string)), nil
}
