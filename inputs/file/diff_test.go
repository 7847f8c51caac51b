package file

import (
	"slices"

	"github.com/google/go-cmp/cmp"
)

// diffSet compares two multisets of lines: nothing lost, nothing twice.
func diffSet(want, got []string) string {
	w, g := slices.Clone(want), slices.Clone(got)
	slices.Sort(w)
	slices.Sort(g)
	return cmp.Diff(w, g)
}
