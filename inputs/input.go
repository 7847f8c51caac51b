// Package inputs defines the contract every input plugin implements.
package inputs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/dirwatch"
	"github.com/auditship/auditship/internal/event"
)

// Input is pull-style: the agent calls Read in a loop from one goroutine;
// not calling it is back-pressure. Read returns io.EOF when the input has
// ended for good (stdin). The AckFunc covers exactly the returned events
// (also when a processor later drops some of them) and is called once;
// an input moves its checkpoint only when acks arrive, in read order.
type Input interface {
	Read(ctx context.Context) ([]*event.Event, event.AckFunc, error)
	Close(ctx context.Context) error // persists checkpoints; idempotent
}

// Settings is what the agent hands an input besides its own config.
type Settings struct {
	Pipeline   string
	Name       string
	StateDir   string // this input's private directory under data_dir (exists, 0700)
	FirstStart bool   // data_dir had no state for this pipeline: start_at applies
	Logger     *zap.Logger
	Registerer prometheus.Registerer // const labels pipeline and input are set
	Decoder    *format.Parallel      // turns records into events (format, timezone, strip_prefix, id_fields)
	Framing    record.Config         // line and multi-line record rules
	// FlushTimeout closes an open multi-line record after this long without
	// a new line (multiline.flush_timeout); 0 means never.
	FlushTimeout time.Duration
	// Resume gives, for a source key (Source.Key), the end offset of the
	// last record of that source already durable in the buffer; an input
	// skips records ending at or before it, so a kill between the buffer's
	// fsync and the checkpoint write re-reads nothing. May be nil.
	Resume func(sourceKey string) (end int64, ok bool)
	// Watch is the agent's directory watcher, shared by all its inputs:
	// one inotify instance, whose events reach only the inputs whose
	// globs match. An input subscribes at create and unsubscribes at
	// Close. Nil: an input that watches makes its own.
	Watch *dirwatch.Watcher
}

// Factory creates one input type. NewConfig returns a pointer to a
// gohcl-tagged struct holding the defaults; it may implement
// component.Validator.
type Factory interface {
	Type() string
	NewConfig() any
	Create(s Settings, cfg any) (Input, error)
}
