package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The targets the hot path is held to (README, "Performance").
const (
	targetEventsPerSec = 300000
	targetCPUPerM      = 3.5 // CPU-seconds per million events
	targetRSSMB        = 64
)

const rowFormat = "%-34s %9s %8s %10s %8s %9s %8s %8s %7s %6s %9s  %s\n"

func printHeader(w io.Writer) {
	fmt.Fprintf(w, rowFormat, "workload", "events", "wall s", "events/s", "MB/s", "CPU-s/M", "RSS MB",
		"fsync/s", "obj/s", "ratio", "out", "exit")
	targetRow(w, "target (json)", targetEventsPerSec, targetCPUPerM, targetRSSMB)
}

// printTarget prints a target row from `label,events/s,CPU-s/M,RSS MB`;
// an empty field has no target.
func printTarget(w io.Writer, spec string) error {
	f := strings.Split(spec, ",")
	if len(f) != 4 {
		return fmt.Errorf("-target %q: want label,events/s,CPU-s/M,RSS MB", spec)
	}
	var v [3]float64
	for i, s := range f[1:] {
		if s == "" {
			continue
		}
		var err error
		if v[i], err = strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("-target %q: %w", spec, err)
		}
	}
	targetRow(w, f[0], v[0], v[1], v[2])
	return nil
}

func targetRow(w io.Writer, label string, events, cpu, rss float64) {
	bound := func(op string, v float64) string {
		if v == 0 {
			return ""
		}
		return op + strconv.FormatFloat(v, 'f', -1, 64)
	}
	fmt.Fprintf(w, rowFormat, label, "", "", bound(">=", events), "", bound("<=", cpu), bound("<", rss),
		"", "", "", "", "")
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
	objects, ratio := "-", "-"
	if r.store != nil {
		objects = rate(float64(r.store.objects), secs, 1, 1)
		ratio = strconv.FormatFloat(r.store.ratio(), 'f', 3, 64)
	}
	fsyncs := "-"
	if r.fsyncRate >= 0 {
		fsyncs = strconv.FormatFloat(r.fsyncRate, 'f', 1, 64)
	}
	fmt.Fprintf(w, rowFormat, r.opts.label, strconv.FormatInt(r.opts.events, 10),
		fmt.Sprintf("%.2f", secs), rate(float64(r.opts.events), secs, 1, 0),
		rate(float64(r.opts.bytes), secs, 1e6, 1), r.cpuPerMillion(),
		fmt.Sprintf("%.1f", float64(r.maxRSS)/(1<<20)), fsyncs, objects, ratio, out, exit)
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
