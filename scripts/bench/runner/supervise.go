package main

import (
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// supervisor watches a running command: it scrapes its metrics, sends
// SIGTERM when the output is complete and SIGKILL at the timeout, and
// records which it did and when, so the table shows how much of the wall
// time the shutdown took.
type supervisor struct {
	cmd     *exec.Cmd
	o       options
	start   time.Time
	files   *counter
	metrics *scraper // nil without -metrics
	done    chan struct{}
	exited  chan struct{}
	killed  string // read after finish
}

func newSupervisor(cmd *exec.Cmd, o options) *supervisor {
	sv := &supervisor{cmd: cmd, o: o, start: time.Now(), files: newCounter(o.watch),
		done: make(chan struct{}), exited: make(chan struct{})}
	if o.metrics != "" {
		sv.metrics = newScraper(o.metrics, o.fsyncs, o.untilMetric, o.eventsFrom)
	}
	return sv
}

// finish stops run once the command has exited and waits for it.
func (sv *supervisor) finish() {
	close(sv.done)
	<-sv.exited
}

func (sv *supervisor) run() {
	defer close(sv.exited)
	deadline := time.NewTimer(sv.o.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(sv.o.poll)
	defer tick.Stop()
	scrape := time.NewTicker(max(sv.o.scrape, time.Millisecond))
	defer scrape.Stop()
	for {
		select {
		case <-sv.done:
			return
		case <-deadline.C:
			_ = sv.cmd.Process.Kill()
			sv.killed = "timeout"
			return
		case <-scrape.C:
			if sv.metrics != nil {
				sv.metrics.scrape(time.Since(sv.start))
			}
		case <-tick.C:
			sv.maybeStop()
		}
	}
}

// maybeStop sends SIGTERM once, when -until is reached.
func (sv *supervisor) maybeStop() {
	if sv.o.until <= 0 || sv.killed != "" || !sv.reached() {
		return
	}
	_ = sv.cmd.Process.Signal(syscall.SIGTERM)
	sv.killed = fmt.Sprintf("sigterm@%.2fs", time.Since(sv.start).Seconds())
}

func (sv *supervisor) reached() bool {
	if sv.o.untilMetric == "" {
		return sv.files.reached(sv.o.until)
	}
	if sv.metrics == nil {
		return false
	}
	v, ok := sv.metrics.value(sv.o.untilMetric)
	return ok && v >= float64(sv.o.until)
}

// fsyncRate is the fsync counter over the time of its last scrape (the
// fsyncs after it, in the last scrape period, are not seen); -1 without
// one. Read after finish.
func (sv *supervisor) fsyncRate() float64 {
	if sv.metrics == nil || sv.o.fsyncs == "" {
		return -1
	}
	v, ok := sv.metrics.value(sv.o.fsyncs)
	if !ok || sv.metrics.at <= 0 {
		return -1
	}
	return v / sv.metrics.at.Seconds()
}

// events is the last scraped value of -events-metric, or -1.
func (sv *supervisor) events() int64 {
	if sv.metrics == nil || sv.o.eventsFrom == "" {
		return -1
	}
	v, ok := sv.metrics.value(sv.o.eventsFrom)
	if !ok {
		return -1
	}
	return int64(v)
}
