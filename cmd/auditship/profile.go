package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $AUDITSHIP_CPUPROFILE while the
// agent runs: how `make bench` figures are explained. It returns the stop.
func startProfile() func() {
	path := os.Getenv("AUDITSHIP_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
