package mysql

import (
	"context"
	"time"
)

// probeTimeout bounds a Probe.
const probeTimeout = 2 * time.Second

// Probe reports whether the database answers again: one ping within
// probeTimeout, classified as Write's errors are. It never logs.
func (o *Output) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	return o.classify("ping", o.db.PingContext(ctx))
}

// The agent's sender probes any output with this method.
var _ interface{ Probe(context.Context) error } = (*Output)(nil)
