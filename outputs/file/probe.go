package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// probeTimeout bounds a Probe: a stat on a hung network mount can block
// for minutes.
const probeTimeout = 2 * time.Second

// errStatStuck answers a Probe while the stat of an earlier one has not
// returned yet: at most one stat is in flight, however long it hangs.
var errStatStuck = errors.New("an earlier stat has not returned")

// Probe reports whether the output's directory is back: it exists and is a
// directory. One stat, no write. The sender calls it between retries and
// writes again as soon as it passes; an error only means "not yet". It
// never logs.
func (o *Output) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if !o.statting.CompareAndSwap(false, true) {
		return fmt.Errorf("probe %s: %w", o.dir, errStatStuck)
	}
	res := make(chan error, 1)
	go func() { // ends when the stat returns, even after Probe gave up
		err := checkDir(o.dir)
		o.statting.Store(false)
		res <- err
	}()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("probe %s: %w", o.dir, ctx.Err())
	}
}

// checkDir is the one stat of a probe.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("probe: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("probe %s: not a directory", dir)
	}
	return nil
}

// The agent's sender probes any output with this method (agent/delivery/write.go);
// plugins do not import agent, so the shape is spelled out here.
var _ interface{ Probe(context.Context) error } = (*Output)(nil)
