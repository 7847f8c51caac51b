// Package delivery moves a pipeline's buffered events to its outputs: one
// Sender per enabled output reads from its own cursor, forms batches,
// journals and spools them (stores), writes them with retries and moves
// the cursor only after a write succeeded. Dead-letter files, the journal
// and the checks for state a config no longer has live here too; the
// agent package wires senders to pipelines and owns their lifecycle.
package delivery

import (
	"context"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Settings is what a Sender needs from its pipeline.
type Settings struct {
	Pipeline      string
	Stream        string // the pipeline's stream id: batch ids are <stream>-<first_seq>
	Output        *config.Output
	MaxPartitions int
	StateDir      string // the output's directory under the pipeline's state
	Buffer        *buffer.Log
	Logger        *zap.Logger // already names the pipeline
	Registry      *metrics.Registry
	Kick          chan<- struct{} // told when the cursor moved: the buffer may be trimmed
	// KeyPrefix goes before every rendered key of a journaled store
	// (replay writes under "replay/"); "" for a pipeline's own senders.
	KeyPrefix string
	// Capture names the fields whose value positions the pipeline's
	// event records carry (CaptureFields of its outputs): the index
	// builder takes their values from there instead of scanning lines.
	Capture []string
}

// New creates the output and its sender, loading the cursor and, for a
// journaled output, the journal.
func New(st Settings) (*Sender, error) {
	oc := st.Output
	spool := filepath.Join(st.StateDir, "pending")
	if err := state.MkdirAll(spool); err != nil {
		return nil, err
	}
	log := st.Logger.With(zap.String("output", oc.Name))
	out, err := oc.Factory.Create(outputs.Settings{Pipeline: st.Pipeline, Name: oc.Name, StateDir: st.StateDir,
		Logger: log, Registerer: metrics.Wrap(st.Registry, st.Pipeline, "output", oc.Name)}, oc.Config)
	if err != nil {
		return nil, err
	}
	s := &Sender{pipeline: st.Pipeline, name: oc.Name, stream: st.Stream, out: out, cfg: oc,
		maxPartitions: st.MaxPartitions, log: log, m: newOutputMetrics(st.Registry, st.Pipeline, oc.Name),
		buf: st.Buffer, spoolDir: spool, kick: st.Kick, keyPrefix: st.KeyPrefix, capture: st.Capture}
	s.m.watch(st.Registry, prometheus.Labels{"pipeline": st.Pipeline, "output": oc.Name},
		func() uint64 { return st.Buffer.Durable() + 1 }, oc.Batch.Interval)
	s.part, _ = out.(outputs.Partitioner)
	s.needFields = oc.When != nil || needsFields(out)
	if err := s.openState(st.StateDir); err != nil {
		_ = out.Close(context.Background())
		return nil, err
	}
	return s, nil
}

// prefixer is implemented by stores whose keys start with something the
// prefix must follow (azure_blob: "CONTAINER/BLOB").
type prefixer interface {
	PrefixKey(key, prefix string) string
}

// key renders a journaled batch's key, under the sender's key prefix.
func (s *Sender) key(b *event.Batch) string {
	k := s.journaled.Key(b)
	if s.keyPrefix == "" {
		return k
	}
	if p, ok := s.out.(prefixer); ok {
		return p.PrefixKey(k, s.keyPrefix)
	}
	return s.keyPrefix + k
}

// Disable forgets the cursor of an output turned off, so that it stops
// pinning the buffer; re-enabled, it starts at the buffer's head.
func Disable(stateDir string) error { return removeCursor(stateDir) }

// Name is the output's name.
func (s *Sender) Name() string { return s.name }

// NeedsRaw reports whether the output writes records as read (stdout
// plain): the pipeline then keeps them in the buffer.
func (s *Sender) NeedsRaw() bool {
	r, ok := s.out.(interface{ NeedsRaw() bool })
	return ok && r.NeedsRaw()
}

// Position is the first sequence number the output still needs: the
// buffer may drop everything before it.
func (s *Sender) Position() uint64 { return s.position.Load() }

// Progress is what the watchdog reads of the sender each second, without
// gathering its registry: the batches stored and the retryable write
// errors so far (the counts of auditship_output_batches_total and of
// auditship_output_send_errors_total{kind="retryable"}).
func (s *Sender) Progress() (stored, retryableErrors uint64) {
	return s.stored.Load(), s.retried.Load()
}

// Unsent is how many events the last Run left undelivered (an upper
// bound; see undelivered). Read it after Run returned.
func (s *Sender) Unsent() int { return s.unsent }

// Close closes the output.
func (s *Sender) Close(ctx context.Context) error { return s.out.Close(ctx) }

// needsFields reports whether an output's partitions read event fields.
func needsFields(out outputs.Output) bool {
	pf, ok := out.(interface{ PartitionFields() []string })
	if !ok {
		_, part := out.(outputs.Partitioner)
		return part
	}
	return len(pf.PartitionFields()) > 0
}

// openState loads the cursor (a new or re-enabled output starts at the
// head of the buffer) and, for a journaled output, the journal and spool.
func (s *Sender) openState(sdir string) error {
	var err error
	if s.cur, err = loadCursor(sdir); err != nil {
		return err
	}
	fresh := !s.cur.exists
	if fresh {
		s.cur.next = s.buf.NextSeq()
		if err := s.cur.save(); err != nil {
			return err
		}
	}
	s.position.Store(s.cur.next)
	s.lastSave = time.Now() // what is stored is current: the next save is due saveEvery from here
	j, ok := s.out.(outputs.Journaled)
	if !ok {
		return cleanSpool(s.spoolDir)
	}
	s.journaled = j
	f, c := j.Encoding()
	if s.codec, err = objectstore.NewCodec(f, c); err != nil {
		return err
	}
	if s.jr, err = openJournal(sdir); err != nil {
		return err
	}
	if err := s.openChain(sdir, fresh); err != nil {
		return err
	}
	return cleanSpool(s.spoolDir)
}
