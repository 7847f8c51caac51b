// Package replay ships events read back from one store output to another
// output (SPEC §1, issue 11): the batches whose index records may match
// are selected with chain.Select and read once, their lines filtered by
// the query, and the matching events appended to a private durable
// buffer, from which one delivery.Sender ships them through the target
// output's normal path (batching, retries, journal and spool, chain) with
// a stream of its own. The replay's state lives in its own directory
// (Request.Dir) under its own lock, so it runs beside `auditship run`.
package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/index"
)

// Options is one replay.
type Options struct {
	Source         chain.Reader // the --from output's store
	SourceOutput   string       // its name, as in its chain's paths
	SourcePipeline string       // only this pipeline's batches; "": all the store holds
	Target         *config.Output
	TargetPipeline string // the pipeline whose chain paths the replay stream joins
	Buffer         config.Buffer
	Query          *index.Query
	Dir            string // Request.Dir, locked by the caller
	Logger         *zap.Logger
	Progress       func(Progress) // called from the reading goroutine; may be nil
	// StopTimeout bounds the delivery of what was buffered once ctx
	// ended (an interrupt); the rest stays for the next run. Default 10s.
	StopTimeout time.Duration
}

// Progress is how far a replay is.
type Progress struct {
	Batches, BatchesTotal int   // selected batches read (or passed over on resume) / selected
	Events, EventsTotal   int64 // lines of selected batches read / their count
	Matched, Present      int64
	Queued, Delivered     int64 // events of the replay stream (all runs): taken in / stored by the target
	Reading               bool  // false once the source is read: only the delivery is left
}

// Summary is what a replay did in this run.
type Summary struct {
	Listed     int           `json:"batches_listed"`   // batches of the source's streams
	Selected   int           `json:"batches_selected"` // their index may match
	Read       int           `json:"batches_read"`     // opened and read in this run
	Matched    int64         `json:"events_matched"`
	Shipped    int64         `json:"events_shipped"` // appended to the replay stream and delivered
	Present    int64         `json:"events_present"` // in the target already (mysql, by _id): skipped
	Bad        int64         `json:"lines_unreadable,omitempty"`
	ExprErrors int64         `json:"where_errors,omitempty"` // --where failed on the event: no match
	Stream     string        `json:"stream"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Resumed    bool          `json:"resumed,omitempty"`
}

// String is the summary line.
func (s Summary) String() string {
	line := fmt.Sprintf("replay complete: %d batches listed, %d selected, %d read; %d events matched, %d shipped, "+
		"%d already present; stream %s; %s", s.Listed, s.Selected, s.Read, s.Matched, s.Shipped, s.Present,
		s.Stream, s.Elapsed.Round(time.Millisecond))
	if s.Bad > 0 || s.ExprErrors > 0 {
		line += fmt.Sprintf(" (%d stored lines unreadable, %d events --where failed on: skipped)", s.Bad, s.ExprErrors)
	}
	return line
}

// ErrUndelivered is returned when the run ended with events still in the
// replay's buffer: the same command continues.
var ErrUndelivered = errors.New("replay interrupted: undelivered events stay in its state for the next run")

// Run replays until the source is exhausted and everything is delivered
// (then it writes the done marker and returns the summary), or until ctx
// ends or an error stops it (state kept: running it again continues).
func Run(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	r, err := open(o)
	if err != nil {
		return Summary{}, err
	}
	defer r.close()
	sum, err := r.run(ctx)
	sum.Elapsed = time.Since(start)
	if err != nil {
		return sum, err
	}
	return sum, markDone(o.Dir, sum)
}
