package main

import (
	"fmt"
	"io"
	"strconv"
)

// The targets the hot path is held to (README, "Performance").
const (
	targetEventsPerSec = 300000
	targetCPUPerM      = 3.5 // CPU-seconds per million events
	targetRSSMB        = 64
)

const rowFormat = "%-24s %9s %8s %10s %8s %9s %8s %9s  %s\n"

func printHeader(w io.Writer) {
	fmt.Fprintf(w, rowFormat, "workload", "events", "wall s", "events/s", "MB/s", "CPU-s/M", "RSS MB", "out", "exit")
	fmt.Fprintf(w, rowFormat, "target (json)", "", "", ">="+strconv.Itoa(targetEventsPerSec),
		"", "<="+strconv.FormatFloat(targetCPUPerM, 'f', 1, 64), "<"+strconv.Itoa(targetRSSMB), "", "")
}

func (r result) print(w io.Writer) {
	secs := r.wall.Seconds()
	out := "-"
	if r.out >= 0 {
		out = strconv.FormatInt(r.out, 10)
	}
	exit := strconv.Itoa(r.exitCode)
	if r.killed != "" {
		exit += "/" + r.killed
	}
	fmt.Fprintf(w, rowFormat, r.opts.label, strconv.FormatInt(r.opts.events, 10),
		fmt.Sprintf("%.2f", secs), rate(float64(r.opts.events), secs, 1, 0),
		rate(float64(r.opts.bytes), secs, 1e6, 1), r.cpuPerMillion(),
		fmt.Sprintf("%.1f", float64(r.maxRSS)/(1<<20)), out, exit)
}

func (r result) cpuPerMillion() string {
	if r.opts.events == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.cpu.Seconds()*1e6/float64(r.opts.events))
}

func rate(n, secs, unit float64, digits int) string {
	if n == 0 || secs == 0 {
		return "-"
	}
	return strconv.FormatFloat(n/secs/unit, 'f', digits, 64)
}

// failed: the command failed on its own (a SIGTERM the runner sent and a
// clean exit after it are success), or the runner had to kill it.
func (r result) failed() bool {
	return r.exitCode != 0 || r.killed == "timeout"
}
