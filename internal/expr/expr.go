// Package expr compiles `when` and `filter` expressions once and runs them
// over events (expr-lang/expr).
package expr

import "github.com/auditship/auditship/internal/event"

// Program is a compiled expression; safe for concurrent use.
type Program struct{}

// Compile compiles src; the error text is a one-line message suitable for
// a config diagnostic. Member access compiles as optional chaining.
func Compile(src string) (*Program, error) { panic("TODO") }

// Match runs p over e. A run-time error, or a result that is not a bool,
// returns an error (callers decide: filter keeps and flags, when skips).
func (p *Program) Match(e *event.Event) (bool, error) { panic("TODO") }

// Fields lists the top-level identifiers p reads (for lazy extraction).
func (p *Program) Fields() []string { panic("TODO") }
