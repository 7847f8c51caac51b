package agent

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// outcome is how a write ended.
type outcome int

const (
	stored   outcome = iota
	aborted          // ctx ended first: the batch stays journaled / buffered
	rejected         // the store refused the batch's content: dead-letter it
)

// write retries b until it is stored, rejected, or ctx ends: retryable
// errors back off exponentially with jitter, forever; permanent ones hold
// the output and are re-probed every permanent_retry_interval.
func (s *sender) write(ctx context.Context, b *event.Batch) (outcome, error) {
	bo := newBackoff(s.cfg.Retry.Initial, s.cfg.Retry.Max)
	for {
		err := s.out.Write(ctx, b)
		if err == nil {
			s.setState("", nil)
			return stored, nil
		}
		if outputs.IsRejected(err) {
			s.m.sendErrors.WithLabelValues("rejected").Inc()
			return rejected, err
		}
		if ctx.Err() != nil {
			return aborted, ctx.Err()
		}
		wait := bo.next()
		kind := "retryable"
		if outputs.IsPermanent(err) {
			kind, wait = "permanent", s.cfg.PermanentRetryInterval
		}
		s.m.sendErrors.WithLabelValues(kind).Inc()
		s.setState(kind, err)
		if !sleep(ctx, wait) {
			return aborted, ctx.Err()
		}
	}
}

// setState logs an output's health once per change, not once per retry.
func (s *sender) setState(kind string, err error) {
	if kind == s.failing {
		return
	}
	prev := s.failing
	s.failing = kind
	s.m.setHealthy(kind != "permanent")
	switch {
	case kind == "":
		s.log.Info("output recovered", zap.String("was", prev))
	case kind == "permanent":
		s.log.Error("output failing permanently; data kept, re-probing",
			zap.Error(err), zap.Duration("every", s.cfg.PermanentRetryInterval))
	default:
		s.log.Warn("output failing; data kept, retrying with backoff", zap.Error(err),
			zap.Duration("max_backoff", s.cfg.Retry.Max), zap.Time("since", time.Now()))
	}
}
