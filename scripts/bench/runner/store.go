package main

import (
	"fmt"
	"os"
	"os/exec"
)

// storeStat is what a store held after a run, as printed by the -stat
// command: objects, stored bytes, raw (decompressed) bytes, events.
type storeStat struct {
	objects, stored, raw, events int64
}

// ratio is stored over raw bytes: what the compression kept.
func (s storeStat) ratio() float64 {
	if s.raw == 0 {
		return 0
	}
	return float64(s.stored) / float64(s.raw)
}

// runStat runs the -stat command line with sh and reads its one line.
func runStat(cmdline string) (storeStat, error) {
	cmd := exec.Command("sh", "-c", cmdline)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return storeStat{}, fmt.Errorf("stat command: %w", err)
	}
	var s storeStat
	if _, err := fmt.Sscan(string(out), &s.objects, &s.stored, &s.raw, &s.events); err != nil {
		return storeStat{}, fmt.Errorf("stat command printed %q: %w", out, err)
	}
	return s, nil
}
