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
