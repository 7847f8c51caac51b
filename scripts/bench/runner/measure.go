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

	fsyncRate float64    // per second up to the last scrape; -1 when not scraped
	store     *storeStat // from -stat, nil without it
}

// measure starts the command, optionally stops it once the output holds
// enough lines, and reads the child's rusage after wait.
func measure(o options) (result, error) {
	cmd, closeFiles, err := command(o)
	if err != nil {
		return result{}, err
	}
	defer closeFiles()
	r := result{opts: o, out: -1, fsyncRate: -1}
	sv := newSupervisor(cmd, o)
	if err := cmd.Start(); err != nil {
		return r, fmt.Errorf("start %s: %w", o.argv[0], err)
	}
	go sv.run()
	err = cmd.Wait()
	r.wall = time.Since(sv.start)
	sv.finish()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return r, fmt.Errorf("wait: %w", err)
	}
	r.fill(cmd.ProcessState)
	r.killed = sv.killed
	r.fsyncRate = sv.fsyncRate()
	if n := sv.events(); n >= 0 {
		r.opts.events = n
	}
	return r, r.outcome()
}

// outcome fills what the run delivered: the store's contents, or the
// lines of the watched files.
func (r *result) outcome() error {
	var err error
	switch {
	case r.opts.stat != "":
		var s storeStat
		s, err = runStat(r.opts.stat)
		r.store, r.out = &s, s.events
	case r.opts.watch != "":
		r.out, err = newCounter(r.opts.watch).count()
	}
	if r.opts.eventsOut && r.out >= 0 {
		r.opts.events = r.out
	}
	return err
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
