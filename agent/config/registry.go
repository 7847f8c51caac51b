package config

import (
	"maps"
	"slices"
	"strings"
)

// types lists the registered types of a plugin kind, sorted.
func (l *loader) types(kind string) []string {
	switch kind {
	case "input":
		return slices.Sorted(maps.Keys(l.reg.Inputs))
	case "processor":
		return slices.Sorted(maps.Keys(l.reg.Processors))
	default:
		return slices.Sorted(maps.Keys(l.reg.Outputs))
	}
}

// unknownType words an unknown plugin type with a suggestion, or the list
// of known types when none is close.
func unknownType(kind, typ string, types []string) string {
	msg := "unknown " + kind + " type " + quote(typ)
	if s := suggest(typ, types); s != "" {
		return msg + "; did you mean " + quote(s) + "?"
	}
	return msg + " (known: " + strings.Join(types, ", ") + ")"
}

// newConfig returns a fresh config of a plugin type; nil when unknown.
func (l *loader) newConfig(kind, typ string) any {
	switch kind {
	case "input":
		if f, ok := l.reg.Inputs[typ]; ok {
			return f.NewConfig()
		}
	case "processor":
		if f, ok := l.reg.Processors[typ]; ok {
			return f.NewConfig()
		}
	default:
		if f, ok := l.reg.Outputs[typ]; ok {
			return f.NewConfig()
		}
	}
	return nil
}

// singleFor tells which nested blocks of a plugin type merge attribute by
// attribute (see singleBlocks).
func (l *loader) singleFor(kind string) func(typ string) func(string) bool {
	return func(typ string) func(string) bool { return singleBlocks(l.newConfig(kind, typ)) }
}
