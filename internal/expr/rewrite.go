package expr

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
)

// getFn names the field reader; '@' keeps it out of reach of expressions.
const getFn = "@get"

// lets collects names declared with `let`: those identifiers are variables,
// not fields. It runs as a patch before rewriter.
type lets map[string]bool

func (l *lets) Visit(n *ast.Node) {
	if d, ok := (*n).(*ast.VariableDeclaratorNode); ok {
		if *l == nil {
			*l = lets{}
		}
		(*l)[d.Name] = true
	}
}

// rewriter turns field identifiers into @get($env, "path"), folds constant
// member chains into the path and makes other member access optional.
// ast.Walk visits children first, so a parent sees its rewritten children.
type rewriter struct {
	lets lets
	err  error
}

func (r *rewriter) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		if !r.lets[x.Value] && x.Value != "$env" {
			ast.Patch(n, load(x.Value))
		}
	case *ast.MemberNode:
		r.member(n, x)
	case *ast.CallNode:
		r.call(x)
	case *ast.BinaryNode:
		compare(n, x)
	}
}

func (r *rewriter) member(n *ast.Node, x *ast.MemberNode) {
	if x.Method {
		return
	}
	if base, ok := loadPath(x.Node); ok {
		if p, ok := property(x.Property); ok {
			ast.Patch(n, load(base+"."+p))
			return
		}
	}
	if id, ok := x.Node.(*ast.IdentifierNode); ok && id.Value == "$env" {
		if p, ok := x.Property.(*ast.StringNode); ok {
			ast.Patch(n, load(p.Value))
			return
		}
	}
	x.Optional = true
	if c, ok := x.Node.(*ast.ChainNode); ok {
		x.Node = c.Node // one chain per access path, as the parser builds it
	}
	ast.Patch(n, &ast.ChainNode{Node: x})
}

// call restores a callee that the identifier case took for a field.
func (r *rewriter) call(x *ast.CallNode) {
	name, ok := loadPath(x.Callee)
	if !ok {
		return
	}
	if _, known := builtin.Index[name]; !known && name != getFn && name != eqFn {
		r.err = fmt.Errorf("unknown function %s (column %d)", name, x.Callee.Location().From+1)
	}
	loc := x.Callee.Location()
	x.Callee = &ast.IdentifierNode{Value: name}
	x.Callee.SetLocation(loc)
}

func load(path string) ast.Node {
	return &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: getFn},
		Arguments: []ast.Node{&ast.IdentifierNode{Value: "$env"}, &ast.StringNode{Value: path}},
	}
}

// loadPath returns the path of a node built by load.
func loadPath(n ast.Node) (string, bool) {
	c, ok := n.(*ast.CallNode)
	if !ok || len(c.Arguments) != 2 {
		return "", false
	}
	if id, ok := c.Callee.(*ast.IdentifierNode); !ok || id.Value != getFn {
		return "", false
	}
	s, ok := c.Arguments[1].(*ast.StringNode)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// fieldPath returns the path read by a node built by load or compare.
func fieldPath(n ast.Node) (string, bool) {
	c, ok := n.(*ast.CallNode)
	if !ok || len(c.Arguments) < 2 {
		return "", false
	}
	if id, ok := c.Callee.(*ast.IdentifierNode); !ok || (id.Value != getFn && id.Value != eqFn) {
		return "", false
	}
	if s, ok := c.Arguments[1].(*ast.StringNode); ok {
		return s.Value, true
	}
	return "", false
}

// property returns a constant member name event.Get can follow.
func property(n ast.Node) (string, bool) {
	switch p := n.(type) {
	case *ast.StringNode:
		return p.Value, p.Value != "" && !strings.Contains(p.Value, ".")
	case *ast.IntegerNode:
		return strconv.Itoa(p.Value), p.Value >= 0
	}
	return "", false
}

// paths lists the distinct paths a compiled tree reads.
func paths(root ast.Node) []string {
	var c collector
	ast.Walk(&root, &c)
	return c
}

type collector []string

func (c *collector) Visit(n *ast.Node) {
	if p, ok := fieldPath(*n); ok && !slices.Contains(*c, p) {
		*c = append(*c, p)
	}
}

// topLevel keeps the first segment of each path, deduplicated, in order.
func topLevel(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		name, _, _ := strings.Cut(p, ".")
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
