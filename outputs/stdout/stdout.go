// Package stdout is the `stdout` output: each batch as lines on standard
// output, for pipes, containers and debugging. At-least-once: a batch whose
// write failed is written again whole, so consumers dedupe by _id.
package stdout

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "stdout"` block, shown in the docs and
// checked by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `stdout` output.
func NewFactory() outputs.Factory {
	return outputs.NewFactory("stdout", func() *Config { return &Config{Format: FormatJSON} },
		outputs.BatchConfig{MaxEvents: 10_000, MaxBytes: 1 << 20, Interval: 0}, // a batch per burst of reads
		func(_ outputs.Settings, c *Config) (outputs.Output, error) {
			return &Output{w: os.Stdout, plain: c.Format == FormatPlain}, nil
		})
}

// Output writes batches to w, one write per batch.
type Output struct {
	w     io.Writer
	plain bool

	mu  sync.Mutex
	buf []byte // reused across batches
}

// Write renders the whole batch, then hands it to w in one write so that
// batches of several outputs sharing stdout do not interleave. Errors are
// retryable.
func (o *Output) Write(ctx context.Context, b *event.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = o.buf[:0]
	for _, e := range b.Events {
		o.buf = o.appendEvent(o.buf, e)
	}
	if _, err := o.w.Write(o.buf); err != nil {
		return fmt.Errorf("write stdout: %w", err)
	}
	return nil
}

// NeedsRaw asks the agent to keep each record as read in its buffer: the
// plain format writes it.
func (o *Output) NeedsRaw() bool { return o.plain }

// appendEvent writes one line: the envelope, or in plain format the record
// as read (a multi-line plain record keeps its inner newlines).
func (o *Output) appendEvent(dst []byte, e *event.Event) []byte {
	if o.plain && e.Raw != nil {
		dst = append(dst, e.Raw...)
	} else {
		dst = e.AppendJSON(dst)
	}
	return append(dst, '\n')
}

// Close does nothing: stdout belongs to the process.
func (o *Output) Close(context.Context) error { return nil }
