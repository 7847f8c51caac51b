// Package backoff yields retry waits: exponential with full jitter, capped.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff yields exponentially growing waits with full jitter, capped at max.
type Backoff struct {
	initial, max time.Duration
	cur          time.Duration
}

// New returns a Backoff starting at initial (100ms if not positive).
func New(initial, max time.Duration) *Backoff {
	if initial <= 0 {
		initial = 100 * time.Millisecond
	}
	if max < initial {
		max = initial
	}
	return &Backoff{initial: initial, max: max}
}

// Next returns the wait before the next attempt: uniform in [cur/2, cur].
func (b *Backoff) Next() time.Duration {
	if b.cur == 0 {
		b.cur = b.initial
	} else if b.cur *= 2; b.cur > b.max {
		b.cur = b.max
	}
	half := b.cur / 2
	return half + rand.N(b.cur-half+1)
}

// Reset starts the waits over at initial.
func (b *Backoff) Reset() { b.cur = 0 }

// Sleep waits d or until ctx is done; it reports whether d elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
