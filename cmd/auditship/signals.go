package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// notifyContext returns a context cancelled by the first SIGINT or SIGTERM;
// a second signal exits at once with 128+signo (130, 143): the buffer and
// checkpoints are consistent at any instant, so nothing more is needed.
func notifyContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		first := true
		for sig := range ch {
			if !first {
				os.Exit(128 + int(sig.(syscall.Signal)))
			}
			first = false
			cancel()
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// notifyReload returns a channel that receives a value per SIGHUP (one
// pending at most: SIGHUPs during a reload make one more), and its stop.
func notifyReload() (<-chan struct{}, func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				select {
				case out <- struct{}{}:
				default:
				}
			case <-done:
				return
			}
		}
	}()
	return out, func() { signal.Stop(sig); close(done) }
}
