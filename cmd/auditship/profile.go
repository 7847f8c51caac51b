package main

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfile writes a CPU profile to $AUDITSHIP_CPUPROFILE and an
// execution trace to $AUDITSHIP_TRACE (`go tool trace`: which goroutine
// waits on what) while the agent runs, and the allocations of the whole
// run to $AUDITSHIP_MEMPROFILE when it stops: how `make bench` figures
// are explained. It returns the stop.
func startProfile() func() {
	stopCPU := startCPUProfile(os.Getenv("AUDITSHIP_CPUPROFILE"))
	stopTrace := startTrace(os.Getenv("AUDITSHIP_TRACE"))
	return func() {
		stopTrace()
		stopCPU()
		writeAllocs(os.Getenv("AUDITSHIP_MEMPROFILE"))
	}
}

func startCPUProfile(path string) func() {
	return startTo(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

func startTrace(path string) func() { return startTo(path, trace.Start, trace.Stop) }

// startTo starts what writes to a new file at path (a CPU profile, a
// trace) and returns what stops it; nothing when path is "" or the file
// cannot be made.
func startTo(path string, start func(io.Writer) error, stop func()) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := start(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { stop(); f.Close() }
}

// writeAllocs writes the allocs profile (every allocation since start,
// sampled) to path.
func writeAllocs(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	_ = pprof.Lookup("allocs").WriteTo(f, 0)
}
