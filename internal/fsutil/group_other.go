//go:build !linux

package fsutil

import "os"

func deviceOf(*os.File) (uint64, bool) { return 0, false }
func groupable(*os.File) bool          { return false }
func syncfs(f *os.File) error          { return f.Sync() }
func fdatasync(f *os.File) error       { return f.Sync() }
func syncfsReportsErrors() bool        { return false }
