// Package expr compiles `when` and `filter` expressions once and runs them
// over events (expr-lang/expr).
//
// Every field an expression names is read through a call to a hidden
// function with the event as argument, so a run extracts only what it
// touches (and nothing after a short-circuit), builtins never shadow field
// names, and no environment map is built per event. A chain of constant
// member accesses (`variables.amount`, `tags[0]`) becomes one dotted path
// that event.Get resolves inside the raw JSON without decoding the parent.
package expr

import (
	"errors"
	"fmt"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/auditship/auditship/internal/event"
)

// Program is a compiled expression; safe for concurrent use.
type Program struct {
	prog   *vm.Program
	fields []string
}

// env is what the program sees as $env. A struct holding one pointer is
// stored in an interface without allocating.
type env struct{ e *event.Event }

// vms recycles VMs so their stacks are reused across runs.
var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// Compile compiles src; the error text is a one-line message suitable for
// a config diagnostic. Member access compiles as optional chaining.
func Compile(src string) (*Program, error) {
	var rw rewriter
	prog, err := expr.Compile(src,
		expr.AllowUndefinedVariables(),
		expr.AsBool(),
		expr.Function(getFn, get),
		expr.Function(eqFn, eq),
		expr.Patch(&rw.lets),
		expr.Patch(&rw),
	)
	if err == nil {
		err = rw.err
	}
	if err != nil {
		return nil, oneLine(err)
	}
	return &Program{prog: prog, fields: topLevel(paths(prog.Node()))}, nil
}

// Match runs p over e. A run-time error, or a result that is not a bool,
// returns an error (callers decide: filter keeps and flags, when skips).
func (p *Program) Match(e *event.Event) (bool, error) {
	m := vms.Get().(*vm.VM)
	out, err := m.Run(p.prog, env{e})
	vms.Put(m)
	if err != nil {
		return false, oneLine(err)
	}
	b, ok := out.(bool) // AsBool casts the result; this only guards
	if !ok {
		return false, fmt.Errorf("result is %T, not bool", out)
	}
	return b, nil
}

// Fields lists the top-level identifiers p reads (for lazy extraction).
func (p *Program) Fields() []string { return p.fields }

// get reads one path of the event; a missing field is nil.
func get(params ...any) (any, error) {
	v, _ := params[0].(env).e.Get(params[1].(string))
	return v, nil
}

// oneLine drops expr's multi-line snippet and keeps the message with its
// column (1-based), and its line when the source has several.
func oneLine(err error) error {
	var fe *file.Error
	switch {
	case !errors.As(err, &fe):
		return err
	case fe.Snippet == "":
		return errors.New(fe.Message)
	case fe.Line > 1:
		return fmt.Errorf("%s (line %d, column %d)", fe.Message, fe.Line, fe.Column+1)
	}
	return fmt.Errorf("%s (column %d)", fe.Message, fe.Column+1)
}
