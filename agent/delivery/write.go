package delivery

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/backoff"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// outcome is how a write ended.
type outcome int

const (
	stored   outcome = iota
	aborted          // ctx ended first: the batch stays journaled / buffered
	rejected         // the store refused the batch's content: dead-letter it
	partial          // stored but for some events the store refused: dead-letter those
)

// write retries b until it is stored (whole or but for some events),
// rejected, or ctx ends: retryable
// errors back off exponentially with jitter, forever; permanent ones hold
// the output and are re-probed every permanent_retry_interval.
func (s *Sender) write(ctx context.Context, b *event.Batch) (outcome, error) {
	return s.attempt(ctx, func() error {
		defer s.m.observeWrite(time.Now())
		return s.out.Write(ctx, b)
	})
}

// attempt runs one store operation (a batch write, a manifest put) until it
// succeeds, is rejected, or ctx ends, as write describes.
func (s *Sender) attempt(ctx context.Context, op func() error) (outcome, error) {
	bo := backoff.New(s.cfg.Retry.Initial, s.cfg.Retry.Max)
	for {
		err := op()
		if err == nil {
			s.setState("", nil)
			return stored, nil
		}
		if _, ok := outputs.RejectedLines(err); ok {
			s.setState("", nil)
			return partial, err
		}
		if outputs.IsRejected(err) {
			s.m.sendErrors.WithLabelValues("rejected").Inc()
			return rejected, err
		}
		if ctx.Err() != nil {
			return aborted, ctx.Err()
		}
		wait := bo.Next()
		kind := "retryable"
		if outputs.IsPermanent(err) {
			kind, wait = "permanent", s.cfg.PermanentRetryInterval
		}
		s.m.sendErrors.WithLabelValues(kind).Inc()
		if kind == "retryable" {
			s.retried.Add(1)
		}
		s.setState(kind, err)
		if !s.pause(ctx, wait, kind == "retryable") {
			return aborted, ctx.Err()
		}
		s.m.retries.Inc()
	}
}

// prober is implemented by outputs that can tell cheaply (a HEAD, a stat)
// whether their store answers again, without writing a batch.
type prober interface {
	Probe(ctx context.Context) error
}

// pause waits d before the next attempt, or less: in a retryable wait an
// output that can be probed is probed every probeGap, and a passing probe
// ends the wait, so delivery resumes within probeGap of the store's return
// rather than up to a whole backoff step late. A permanent error is not
// probed: a store that answers a probe may still refuse the write (a key
// conflict, a policy without PutObject), and re-sending it every second
// would undo permanent_retry_interval. Shutdown ends the wait once too: the sender
// tries once more instead of sleeping out shutdown_timeout. pause reports
// false when ctx ended.
func (s *Sender) pause(ctx context.Context, d time.Duration, probe bool) bool {
	p, canProbe := s.out.(prober)
	canProbe = canProbe && probe
	for end := time.Now().Add(d); ; {
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		step := left
		if canProbe {
			step = min(left, s.probeEvery())
		}
		if !s.nap(ctx, step) {
			return ctx.Err() == nil // woken by stop: attempt now
		}
		if canProbe && left > step && p.Probe(ctx) == nil {
			return true
		}
	}
}

func (s *Sender) probeEvery() time.Duration {
	if s.probeGap > 0 {
		return s.probeGap
	}
	return time.Second
}

// nap sleeps d; it reports false when ctx ended or, the first time only,
// when stop woke it.
func (s *Sender) nap(ctx context.Context, d time.Duration) bool {
	var wake <-chan struct{}
	if !s.woke {
		wake = s.wake.ch()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-wake:
		s.woke = true
		return false
	}
}

// setState logs an output's health once per change, not once per retry.
func (s *Sender) setState(kind string, err error) {
	if kind == s.failing && !s.newCause(kind, err) {
		return
	}
	prev := s.failing
	s.failing = kind
	s.m.setHealthy(kind != "permanent")
	switch {
	case kind == "":
		s.log.Info("output recovered", zap.String("was", prev))
	case kind == "permanent":
		s.cause = err.Error()
		s.log.Error("output failing permanently; data kept, re-probing",
			zap.Error(err), zap.Duration("every", s.cfg.PermanentRetryInterval))
	default:
		s.log.Warn("output failing; data kept, retrying with backoff", zap.Error(err),
			zap.Duration("max_backoff", s.cfg.Retry.Max), zap.Time("since", time.Now()))
	}
}

// newCause reports whether a permanent error differs from the last one
// logged (the password was fixed, the database is still missing): the
// operator then sees the new cause. Retryable errors are logged once per
// outage, whatever their text.
func (s *Sender) newCause(kind string, err error) bool {
	if kind != "permanent" || err == nil || err.Error() == s.cause {
		return false
	}
	s.cause = err.Error()
	return true
}
