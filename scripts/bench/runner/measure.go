package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// result is what one run measured.
type result struct {
	opts     options
	wall     time.Duration
	cpu      time.Duration // user + sys of the child
	maxRSS   int64         // bytes
	out      int64         // lines counted under -watch, -1 when not watching
	exitCode int
	killed   string // why the runner stopped it, if it did
}

// measure starts the command, optionally stops it once the output holds
// enough lines, and reads the child's rusage after wait.
func measure(o options) (result, error) {
	cmd, closeFiles, err := command(o)
	if err != nil {
		return result{}, err
	}
	defer closeFiles()
	r := result{opts: o, out: -1}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, fmt.Errorf("start %s: %w", o.argv[0], err)
	}
	done := make(chan struct{})
	stopped := make(chan string, 1)
	go supervise(cmd.Process, o, start, done, stopped)
	err = cmd.Wait()
	r.wall = time.Since(start)
	close(done)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return r, fmt.Errorf("wait: %w", err)
	}
	r.fill(cmd.ProcessState)
	select {
	case r.killed = <-stopped:
	default:
	}
	if o.watch == "" {
		return r, nil
	}
	r.out, err = newCounter(o.watch).count()
	return r, err
}

func (r *result) fill(ps *os.ProcessState) {
	r.exitCode = ps.ExitCode()
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.exitCode = 128 + int(ws.Signal())
	}
	r.cpu = ps.UserTime() + ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
}

// supervise sends SIGTERM when the watched output is complete and SIGKILL
// at the timeout, and reports which it did and when, so the table shows
// how much of the wall time the shutdown took.
func supervise(p *os.Process, o options, start time.Time, done <-chan struct{}, stopped chan<- string) {
	deadline := time.NewTimer(o.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	c := newCounter(o.watch)
	for {
		select {
		case <-done:
			return
		case <-deadline.C:
			_ = p.Kill()
			stopped <- "timeout"
			return
		case <-tick.C:
			if o.until > 0 && c.reached(o.until) {
				_ = p.Signal(syscall.SIGTERM)
				stopped <- fmt.Sprintf("sigterm@%.2fs", time.Since(start).Seconds())
				o.until = 0 // keep waiting for exit, or the timeout
			}
		}
	}
}

// command builds the child with its stdin, stdout and stderr files.
func command(o options) (*exec.Cmd, func(), error) {
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	open := func(name, def string, flag int) (*os.File, error) {
		if name == "" {
			name = def
		}
		f, err := os.OpenFile(name, flag, 0o644)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	cmd := exec.Command(o.argv[0], o.argv[1:]...)
	var err, err2, err3 error
	cmd.Stdin, err = open(o.stdin, os.DevNull, os.O_RDONLY)
	cmd.Stdout, err2 = open(o.stdout, os.DevNull, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	cmd.Stderr = os.Stderr
	if o.stderr != "" {
		cmd.Stderr, err3 = open(o.stderr, "", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	}
	if err := errors.Join(err, err2, err3); err != nil {
		closeAll()
		return nil, nil, err
	}
	return cmd, closeAll, nil
}
